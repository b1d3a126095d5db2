from .balanced_bce_loss import BalancedBCELoss
from .depth_l1_loss import DepthL1Loss
from .normals_l1_loss import NormalsL1Loss

__all__ = ['BalancedBCELoss', 'DepthL1Loss', 'NormalsL1Loss']
