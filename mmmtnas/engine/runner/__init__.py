"""Runners that orchestrate several mmengine runs (search stages, training, test)."""
from .inherit_weights import InheritWeights
from .staged_pipeline import StagedPipeline, StageInputError

__all__ = ['StagedPipeline', 'StageInputError', 'InheritWeights']
