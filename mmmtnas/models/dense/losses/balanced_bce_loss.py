"""Class-balanced binary cross-entropy for saliency and edges (HED-style)."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class BalancedBCELoss(nn.Module):
    """Binary cross-entropy with positives weighted ``w`` and negatives ``1 - w``.

    ``loss = mean_valid( w * y * -log σ(x) + (1 - w) * (1 - y) * -log(1 - σ(x)) )``.
    With ``pos_weight=None`` the weight adapts to each batch (HED): ``w`` = fraction of negative
    pixels, used for saliency; a fixed ``pos_weight`` (0.95 PASCAL / 0.8 NYUD) is used for edges.

    Args:
        pos_weight (float, optional): Fixed positive weight in (0, 1). None: batch-adaptive.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Name in the loss dict (must start with ``loss_``).
    """

    def __init__(self,
                 pos_weight: Optional[float] = None,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_bce') -> None:
        super().__init__()
        if pos_weight is not None and not 0.0 < pos_weight < 1.0:
            raise ValueError(f'pos_weight must be in (0, 1), got {pos_weight}')
        self.pos_weight = pos_weight
        self.loss_weight = loss_weight
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target: Tensor,
                ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Loss over pixels whose target is not ``ignore_index``.

        Args:
            pred (Tensor): Logits, same shape as ``target``.
            target (Tensor): 0/1 labels (``ignore_index`` = not scored).
            ignore_index (int): Label value to leave out.

        Returns:
            Tensor: Scalar loss.
        """
        if pred.shape != target.shape:
            raise ValueError(f'pred {tuple(pred.shape)} and target {tuple(target.shape)} differ')
        valid = target != ignore_index
        if not valid.any():
            return pred.sum() * 0.0
        x = pred[valid]
        y = target[valid].to(x.dtype)
        if self.pos_weight is None:
            w = (1.0 - y).sum().detach() / y.numel()
        else:
            w = torch.tensor(self.pos_weight, dtype=x.dtype, device=x.device)
        w = w.clamp(1e-6, 1 - 1e-6)  # an all-negative batch would give w = 1
        loss = (w * y * F.softplus(-x) + (1.0 - w) * (1.0 - y) * F.softplus(x)).mean()
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        """Key of this loss in the loss dict."""
        return self._loss_name
