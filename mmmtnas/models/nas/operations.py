"""The DARTS candidate operations, each registered once in :data:`CANDIDATE_OPS`.

Semantics follow the DARTS reference implementation (Liu et al., 2019):

* ``sep_conv_kxk`` applies (ReLU, depthwise kxk, pointwise 1x1, BN) twice, the first depthwise
  conv carrying the stride;
* ``dil_conv_kxk`` is ReLU, depthwise kxk with dilation 2, pointwise 1x1, BN;
* ``skip_connect`` is the identity, or :class:`FactorizedReduce` at stride 2;
* ``none`` is the zero op (strided at stride 2);
* pooling is 3x3 with padding 1 (``avg`` excludes the padding).

All spatial ops map an ``HxW`` input to ``ceil(H/s) x ceil(W/s)``, so the outputs of every op on
an edge and the two inputs of a cell always agree in size, odd sizes included.

New ops are added with ``@CANDIDATE_OPS.register_module(name=...)`` on a builder
``fn(channels, stride, affine) -> nn.Module``; a search space names them in its ``op_names``.
"""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmmtnas.registry import CANDIDATE_OPS

# Search space of DARTS / PC-DARTS / MTNAS (order matters: it indexes the alpha columns).
DARTS_OPS = ('none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3',
             'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5')


def apply_layer(layer: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """``layer(x)``, with batch norm of a ``channels_last`` CPU input computed in NCHW.

    On CPU the ``channels_last`` batch-norm kernel computes float32 statistics less precisely
    than the NCHW one (20x the error for an input of mean 3 and std 0.01) and is slower for
    few channels, so the search cell's ``channels_last`` layout is left for the BN only; the
    output returns to it.

    Args:
        layer (nn.Module): Any layer.
        x (Tensor): Its input.

    Returns:
        Tensor: ``layer(x)``, in the memory format of ``x``.
    """
    if (isinstance(layer, nn.modules.batchnorm._BatchNorm) and x.device.type == 'cpu'
            and not x.is_contiguous() and x.is_contiguous(memory_format=torch.channels_last)):
        return layer(x.contiguous()).contiguous(memory_format=torch.channels_last)
    return layer(x)


class ReLUConvBN(nn.Sequential):
    """ReLU -> Conv (no bias) -> BN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Kernel size.
        stride (int): Stride.
        padding (int): Padding.
        affine (bool): Learn BN scale and shift. Defaults to True.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int,
                 padding: int, affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, bias=False),
            nn.BatchNorm2d(out_channels, affine=affine))


class DilConv(nn.Sequential):
    """ReLU -> depthwise dilated conv -> pointwise conv -> BN.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Depthwise kernel size.
        stride (int): Stride of the depthwise conv.
        padding (int): Padding of the depthwise conv.
        dilation (int): Dilation of the depthwise conv.
        affine (bool): Learn BN scale and shift. Defaults to True.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int,
                 padding: int, dilation: int, affine: bool = True) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(in_channels, in_channels, kernel_size, stride, padding, dilation=dilation,
                      groups=in_channels, bias=False),
            nn.Conv2d(in_channels, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels, affine=affine))


class SepConv(nn.Sequential):
    """Two stacked (ReLU, depthwise conv, pointwise conv, BN) blocks; the first is strided.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        kernel_size (int): Depthwise kernel size.
        stride (int): Stride of the first depthwise conv.
        padding (int): Padding of the depthwise convs.
        affine (bool): Learn BN scale and shift. Defaults to True.
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int,
                 padding: int, affine: bool = True) -> None:
        super().__init__(
            DilConv(in_channels, in_channels, kernel_size, stride, padding, 1, affine),
            DilConv(in_channels, out_channels, kernel_size, 1, padding, 1, affine))


class Zero(nn.Module):
    """The ``none`` op: zeros of the (strided) input's shape.

    Args:
        stride (int): Spatial stride.
    """

    def __init__(self, stride: int) -> None:
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride == 1:
            return x.mul(0.)
        return x[:, :, ::self.stride, ::self.stride].mul(0.)


class FactorizedReduce(nn.Module):
    """Halve the resolution with two 1x1 stride-2 convs on pixel grids offset by one.

    Each conv gives half the output channels; the second sees the input shifted by one pixel
    (zero-padded at the far edge, which for even sizes samples exactly the pixels the DARTS
    reference samples and for odd sizes keeps both halves at ``ceil(H/2)``).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels (even).
        affine (bool): Learn BN scale and shift. Defaults to True.
    """

    def __init__(self, in_channels: int, out_channels: int, affine: bool = True) -> None:
        super().__init__()
        if out_channels % 2:
            raise ValueError(f'FactorizedReduce needs even out_channels, got {out_channels}')
        self.relu = nn.ReLU(inplace=False)
        self.conv_1 = nn.Conv2d(in_channels, out_channels // 2, 1, stride=2, bias=False)
        self.conv_2 = nn.Conv2d(in_channels, out_channels // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, affine=affine)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.relu(x)
        shifted = F.pad(x, (0, 1, 0, 1))[:, :, 1:, 1:]
        return apply_layer(self.bn, torch.cat([self.conv_1(x), self.conv_2(shifted)], dim=1))


@CANDIDATE_OPS.register_module(name='none')
def _none(channels: int, stride: int, affine: bool) -> nn.Module:
    return Zero(stride)


@CANDIDATE_OPS.register_module(name='skip_connect')
def _skip_connect(channels: int, stride: int, affine: bool) -> nn.Module:
    return nn.Identity() if stride == 1 else FactorizedReduce(channels, channels, affine)


@CANDIDATE_OPS.register_module(name='max_pool_3x3')
def _max_pool_3x3(channels: int, stride: int, affine: bool) -> nn.Module:
    return nn.MaxPool2d(3, stride=stride, padding=1)


@CANDIDATE_OPS.register_module(name='avg_pool_3x3')
def _avg_pool_3x3(channels: int, stride: int, affine: bool) -> nn.Module:
    return nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)


@CANDIDATE_OPS.register_module(name='sep_conv_3x3')
def _sep_conv_3x3(channels: int, stride: int, affine: bool) -> nn.Module:
    return SepConv(channels, channels, 3, stride, 1, affine)


@CANDIDATE_OPS.register_module(name='sep_conv_5x5')
def _sep_conv_5x5(channels: int, stride: int, affine: bool) -> nn.Module:
    return SepConv(channels, channels, 5, stride, 2, affine)


@CANDIDATE_OPS.register_module(name='dil_conv_3x3')
def _dil_conv_3x3(channels: int, stride: int, affine: bool) -> nn.Module:
    return DilConv(channels, channels, 3, stride, 2, 2, affine)


@CANDIDATE_OPS.register_module(name='dil_conv_5x5')
def _dil_conv_5x5(channels: int, stride: int, affine: bool) -> nn.Module:
    return DilConv(channels, channels, 5, stride, 4, 2, affine)


def known_ops() -> Sequence[str]:
    """Return the names of all registered candidate ops."""
    return tuple(CANDIDATE_OPS.module_dict)


def check_op_names(op_names: Sequence[str]) -> tuple:
    """Validate a search space's op list.

    Args:
        op_names (Sequence[str]): Op names.

    Returns:
        tuple: The names as a tuple.
    """
    op_names = tuple(op_names)
    unknown = [n for n in op_names if n not in CANDIDATE_OPS.module_dict]
    if unknown:
        raise KeyError(f'unknown candidate op(s) {unknown}; registered: {list(known_ops())}')
    if len(set(op_names)) != len(op_names):
        raise ValueError(f'duplicate candidate ops in {list(op_names)}')
    if not op_names or op_names == ('none', ):
        raise ValueError(f'a search space needs at least one op other than none: {op_names}')
    return op_names


def build_op(name: str, channels: int, stride: int, affine: bool,
             pool_bn: bool = False) -> nn.Module:
    """Build the candidate op ``name``.

    Args:
        name (str): Registered op name.
        channels (int): Input = output channels.
        stride (int): 1, or 2 on edges of a reduction cell that leave an input node.
        affine (bool): Learn BN scale and shift (False while searching, as in DARTS).
        pool_bn (bool): Follow pooling ops by a non-affine BN, as DARTS's search-time mixed op
            does so that pooled outputs are on the scale of the parametric ops. Defaults to
            False.

    Returns:
        nn.Module: The op.
    """
    builder = CANDIDATE_OPS.get(name)
    if builder is None:
        raise KeyError(f'unknown candidate op {name!r}; registered: {list(known_ops())}')
    op = builder(channels, stride, affine)
    if pool_bn and 'pool' in name:
        op = nn.Sequential(op, nn.BatchNorm2d(channels, affine=False))
    return op
