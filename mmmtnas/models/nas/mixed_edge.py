"""A DARTS mixed edge, with PC-DARTS partial channel connections.

A search cell feeds each node's output to several mixed edges, and every edge runs the same
candidate ops on it. :class:`EdgeInput` holds one such output and computes what does not depend
on the edge once for all of them: the active (first ``C/K``) channels, the bypass, and the
parameter-free front of every op (the ReLU the convolutions start with, the pooling before the
pooled ops' BN). :meth:`MixedEdge.accumulate` runs only what is left of each op, skips ``none``
(zero output) and adds ``w_o * o(x)`` to a running sum in one ``addcmul`` per op.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .operations import apply_layer, build_op


def channel_shuffle(x: torch.Tensor, groups: int) -> torch.Tensor:
    """Interleave the channels of ``groups`` equal groups (ShuffleNet's channel shuffle).

    Args:
        x (Tensor): ``(N, C, H, W)`` with ``C % groups == 0``.
        groups (int): Number of groups.

    Returns:
        Tensor: Same shape, in ``channels_last`` memory format; channel
        ``g * (C // groups) + i`` moves to ``i * groups + g``.
    """
    n, c, h, w = x.shape
    # permuting the last axis of the NHWC view costs one copy and keeps the search cell's
    # channels_last layout (the NCHW view/transpose would copy back to NCHW)
    nhwc = x.permute(0, 2, 3, 1).unflatten(3, (groups, c // groups)).transpose(3, 4)
    return nhwc.reshape(n, h, w, c).permute(0, 3, 1, 2)


def add_scaled(total: Optional[torch.Tensor], x: torch.Tensor,
               scale: Optional[torch.Tensor] = None) -> torch.Tensor:
    """``total + scale * x`` in one ``addcmul``; None is an empty sum, or a scale of 1."""
    if scale is None:
        return x if total is None else total + x
    return x * scale if total is None else torch.addcmul(total, x, scale)


def leaves(op: nn.Module) -> List[nn.Module]:
    """The modules an op applies in order (nested ``nn.Sequential`` flattened)."""
    if isinstance(op, nn.Sequential):
        return [leaf for child in op for leaf in leaves(child)]
    return [op]


def _parameter_free_key(module: nn.Module) -> Optional[str]:
    """A key equal for parameter-free modules that compute the same function, else None.

    The module's public attributes (kernel size, stride, ...) decide what it computes once it
    holds no parameters or buffers (``training`` does not change a ReLU or a pooling).
    """
    if next(module.parameters(), None) is not None or next(module.buffers(), None) is not None:
        return None
    config = sorted((k, v) for k, v in vars(module).items()
                    if not k.startswith('_') and k != 'training')
    return f'{type(module).__qualname__}{config!r}'


def split_op(op: nn.Module) -> Tuple[Tuple[str, ...], List[nn.Module], List[nn.Module]]:
    """Split an op into its parameter-free front and the rest.

    Args:
        op (nn.Module): A candidate op.

    Returns:
        tuple: ``(keys, front, rest)``: the keys of the leading parameter-free modules (equal
        keys compute the same function), those modules, and the modules after them.
    """
    layers = leaves(op)
    keys = []
    for layer in layers:
        key = _parameter_free_key(layer)
        if key is None:
            break
        keys.append(key)
    return tuple(keys), layers[:len(keys)], layers[len(keys):]


class EdgeInput:
    """One node output as the mixed edges reading it see it; shared work is done once.

    Args:
        x (Tensor): The node output ``(N, C, H, W)``.
        partial_k (int): PC-DARTS K: the ops see the first ``C/K`` channels.
    """

    def __init__(self, x: torch.Tensor, partial_k: int = 1) -> None:
        self.x = x
        self._split = x.shape[1] // partial_k
        # one contiguous copy of the active channels instead of one per op inside each conv
        self.active = (x if partial_k == 1 else
                       x[:, :self._split].contiguous(memory_format=torch.channels_last))
        self._fronts: Dict[Tuple[str, ...], torch.Tensor] = {(): self.active}
        self._bypass: Dict[int, torch.Tensor] = {}

    def front(self, keys: Tuple[str, ...], modules: Sequence[nn.Module]) -> torch.Tensor:
        """Output of a parameter-free op front (see :func:`split_op`) on the active channels."""
        if keys not in self._fronts:
            out = self.front(keys[:-1], modules[:-1])
            self._fronts[keys] = modules[-1](out)
        return self._fronts[keys]

    def bypass(self, stride: int) -> torch.Tensor:
        """The channels that skip the ops (PC-DARTS), max-pooled 2x2 at stride 2."""
        if stride not in self._bypass:
            bypass = self.x[:, self._split:]
            if stride != 1:
                bypass = F.max_pool2d(bypass, 2, 2, ceil_mode=True)
            self._bypass[stride] = bypass
        return self._bypass[stride]


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
        if all(name == 'none' for name in op_names):
            raise ValueError(f'a mixed edge needs an op other than none: {list(op_names)}')
        self.stride = stride
        self.partial_k = partial_k
        self.op_names = tuple(op_names)
        self.ops = nn.ModuleList(
            build_op(name, channels // partial_k, stride, affine, pool_bn=True)
            for name in self.op_names)

    def accumulate(self, x: EdgeInput, weights: torch.Tensor,
                   out: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Add the weighted op outputs on the active channels to ``out``.

        ``none`` is skipped: its output is zero (its weight still takes part in the softmax
        that made ``weights``). The ops are split afresh on each call (:func:`split_op`), so
        modules swapped after construction (e.g. SyncBN conversion) are used.

        Args:
            x (EdgeInput): The edge's input.
            weights (Tensor): Op weights ``(num_ops,)``, already scaled by any edge weight.
            out (Tensor, optional): Running sum to add to. None starts one.

        Returns:
            Tensor: ``out + sum_o w_o * o(active)``, ``(N, C/K, ceil(H/s), ceil(W/s))``.
        """
        for name, w, op in zip(self.op_names, weights.unbind(0), self.ops):
            if name == 'none':
                continue
            keys, front, rest = split_op(op)
            y = x.front(keys, front)
            for layer in rest:
                y = apply_layer(layer, y)
            out = add_scaled(out, y, w)
        return out

    def forward(self, x: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
        """Mix the ops.

        Args:
            x (Tensor): Input ``(N, C, H, W)``.
            weights (Tensor): Op weights ``(num_ops,)`` (softmax of the edge's alpha row).

        Returns:
            Tensor: ``(N, C, ceil(H/s), ceil(W/s))``.
        """
        x = EdgeInput(x, self.partial_k)
        mixed = self.accumulate(x, weights)
        if self.partial_k == 1:
            return mixed
        return channel_shuffle(torch.cat([mixed, x.bypass(self.stride)], dim=1), self.partial_k)
