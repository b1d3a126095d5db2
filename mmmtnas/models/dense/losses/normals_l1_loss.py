"""L1 loss between unit-normalised predicted normals and ground-truth normals."""
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class NormalsL1Loss(nn.Module):
    """``Σ |n̂_pred - n_gt|`` over valid pixels and the 3 channels, divided by valid pixels.

    Predictions are normalised to unit length first. A pixel is invalid when any ground-truth
    channel equals ``ignore_index`` or the ground truth is the zero vector.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to ``'loss_normals'``.
    """

    def __init__(self, loss_weight: float = 1.0, loss_name: str = 'loss_normals') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, pred: Tensor, target: Tensor, ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Args: pred, target (Tensor): ``(N, 3, H, W)``. Returns: scalar loss."""
        if pred.shape != target.shape or pred.shape[1] != 3:
            raise ValueError(f'expected (N, 3, H, W) pred and target, got {tuple(pred.shape)} '
                             f'and {tuple(target.shape)}')
        valid = (target != ignore_index).all(1) & (target.abs().sum(1) > 0)  # (N, H, W)
        if not valid.any():
            return pred.sum() * 0.0
        unit = F.normalize(pred, dim=1)
        diff = (unit - target.to(unit.dtype)).abs().sum(1)
        return self.loss_weight * diff[valid].sum() / valid.sum()

    @property
    def loss_name(self) -> str:
        """Key of this loss in the loss dict."""
        return self._loss_name
