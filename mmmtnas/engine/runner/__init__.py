"""Runners that orchestrate several mmengine runs (MTNAS: search stages, finetune, test)."""
from .mtnas_pipeline import MTNASPipeline, StageInputError

__all__ = ['MTNASPipeline', 'StageInputError']
