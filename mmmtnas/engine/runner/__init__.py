"""Runners that orchestrate several mmengine runs (search stages, training, test)."""
from .staged_pipeline import StagedPipeline, StageInputError

__all__ = ['StagedPipeline', 'StageInputError']
