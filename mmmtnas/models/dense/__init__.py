"""Dense multi-task parts (BMTAS tasks): decoder heads, losses, the model."""
from .dense_multi_task_model import DenseMultiTaskModel
from .heads import DeepLabV3PlusDecoderHead
from .losses import BalancedBCELoss, DepthL1Loss, NormalsL1Loss

__all__ = [
    'BalancedBCELoss', 'DeepLabV3PlusDecoderHead', 'DenseMultiTaskModel', 'DepthL1Loss',
    'NormalsL1Loss'
]
