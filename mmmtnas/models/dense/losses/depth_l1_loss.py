"""L1 loss on depth at pixels with a measurement."""
import torch.nn as nn
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class DepthL1Loss(nn.Module):
    """Mean ``|d_pred - d_gt|`` over pixels with ground truth > 0 and != ``ignore_index``.

    Args:
        loss_weight (float): Multiplier. Defaults to 1.0.
        loss_name (str): Name in the loss dict. Defaults to ``'loss_depth'``.
    """

    def __init__(self, loss_weight: float = 1.0, loss_name: str = 'loss_depth') -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self, pred: Tensor, target: Tensor, ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Args: pred, target (Tensor): same shape. Returns: scalar loss."""
        if pred.shape != target.shape:
            raise ValueError(f'pred {tuple(pred.shape)} and target {tuple(target.shape)} differ')
        valid = (target > 0) & (target != ignore_index)
        if not valid.any():
            return pred.sum() * 0.0
        return self.loss_weight * (pred[valid] - target[valid].to(pred.dtype)).abs().mean()

    @property
    def loss_name(self) -> str:
        """Key of this loss in the loss dict."""
        return self._loss_name
