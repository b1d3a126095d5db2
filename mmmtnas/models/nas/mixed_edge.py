"""A DARTS mixed edge, with PC-DARTS partial channel connections."""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from .operations import build_op


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave the channels of ``groups`` equal groups (ShuffleNet's channel shuffle).

    Args:
        x (Tensor): ``(N, C, H, W)`` with ``C % groups == 0``.
        groups (int): Number of groups.

    Returns:
        Tensor: Same shape; channel ``g * (C // groups) + i`` moves to ``i * groups + g``.
    """
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


class MixedEdge(nn.Module):
    """``sum_o w_o * o(x)`` over candidate ops, on ``1/K`` of the channels (PC-DARTS).

    With ``partial_k = K > 1`` only the first ``C/K`` channels go through the ops; the other
    channels bypass them (max-pooled 2x2 at stride 2), are concatenated back and the result is
    channel-shuffled with ``K`` groups so that the next edge processes other channels.
    ``K = 1`` is the plain DARTS mixed op.

    Args:
        channels (int): Channels of the edge's input and output.
        stride (int): 1, or 2 for edges leaving an input node of a reduction cell.
        op_names (Sequence[str]): Candidate ops (the alpha columns, in order).
        partial_k (int): PC-DARTS K. Defaults to 1.
        affine (bool): Learn BN scale and shift in the ops. Defaults to False (DARTS search).
    """

    def __init__(self, channels: int, stride: int, op_names: Sequence[str], partial_k: int = 1,
                 affine: bool = False) -> None:
        super().__init__()
        if partial_k < 1 or channels % partial_k:
            raise ValueError(f'partial_k={partial_k} must be >= 1 and divide the edge '
                             f'channels {channels}')
        self.stride = stride
        self.partial_k = partial_k
        self.op_names = tuple(op_names)
        self.ops = nn.ModuleList(
            build_op(name, channels // partial_k, stride, affine, pool_bn=True)
            for name in self.op_names)

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Mix the ops.

        Args:
            x (Tensor): Input ``(N, C, H, W)``.
            weights (Tensor): Op weights ``(num_ops,)`` (softmax of the edge's alpha row).

        Returns:
            Tensor: ``(N, C, ceil(H/s), ceil(W/s))``.
        """
        if self.partial_k == 1:
            return sum(w * op(x) for w, op in zip(weights, self.ops))
        split = x.shape[1] // self.partial_k
        active, bypass = x[:, :split], x[:, split:]
        mixed = sum(w * op(active) for w, op in zip(weights, self.ops))
        if self.stride != 1:
            bypass = F.max_pool2d(bypass, 2, 2, ceil_mode=True)
        return channel_shuffle(torch.cat([mixed, bypass], dim=1), self.partial_k)
