"""Dense multi-task data: PASCAL-Context and NYUD-v2 multi-task layouts and their transforms."""
from .dense_transforms import DensePad, DenseRandomCrop, DenseRandomFlip, DenseRandomScale
from .load_dense_annotations import LoadDenseAnnotations
from .nyud_mt import NYUDMTDataset
from .pack_dense_inputs import PackDenseInputs
from .pascal_context_mt import PascalContextMTDataset

__all__ = [
    'DensePad', 'DenseRandomCrop', 'DenseRandomFlip', 'DenseRandomScale', 'LoadDenseAnnotations',
    'NYUDMTDataset', 'PackDenseInputs', 'PascalContextMTDataset'
]
