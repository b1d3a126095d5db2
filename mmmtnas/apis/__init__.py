"""High-level APIs: inference of a multi-task model on images."""
from .multi_task_inferencer import MultiTaskInferencer

__all__ = ['MultiTaskInferencer']
