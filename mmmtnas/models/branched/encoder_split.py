"""Cut a registry-built backbone into a shared stem and a list of named blocks.

A branched encoder (search supernet or derived network) treats every block of the backbone as
one layer that tasks may share or not, so it needs the blocks in execution order under stable
names. The names are the backbone's own module paths ('layer3.1'), which also lets a checkpoint
of the plain backbone be mapped onto any copy of a block by prefix.

Supported: backbones that keep their stages as ``nn.Sequential`` children listed in
``res_layers`` (MMPretrain / MMSegmentation ``ResNet`` family) or ``layers`` (MMPretrain /
MMSegmentation ``MobileNetV2``). MobileNetV2's final 1x1 ``conv2`` (1280 channels) is dropped:
DeepLab-style encoders feed the last inverted-residual block to the (R-)ASPP module.
"""
from collections import OrderedDict
from dataclasses import dataclass
from typing import List, Tuple

import torch.nn as nn
from torch.nn.modules.batchnorm import _BatchNorm


@dataclass
class BackboneSplit:
    """A backbone cut into a shared stem and ordered, named blocks.

    Attributes:
        stem (nn.Sequential): The layers before the first block; its children keep the
            backbone's attribute names so checkpoint keys map one to one.
        blocks (list[tuple[str, nn.Module]]): ``(module path, block)`` in execution order.
        stem_stride (int): Output stride of the stem.
    """
    stem: nn.Sequential
    blocks: List[Tuple[str, nn.Module]]
    stem_stride: int


def _stem_children(backbone: nn.Module) -> 'OrderedDict[str, nn.Module]':
    if hasattr(backbone, 'res_layers'):  # ResNet family
        if getattr(backbone, 'deep_stem', False):
            return OrderedDict(stem=backbone.stem, maxpool=backbone.maxpool)
        return OrderedDict([('conv1', backbone.conv1), (backbone.norm1_name, backbone.norm1),
                            ('relu', backbone.relu), ('maxpool', backbone.maxpool)])
    return OrderedDict(conv1=backbone.conv1)  # MobileNetV2


def _stage_names(backbone: nn.Module) -> List[str]:
    if hasattr(backbone, 'res_layers'):
        return list(backbone.res_layers)
    if hasattr(backbone, 'layers') and hasattr(backbone, 'conv1'):
        # 'conv2' is MobileNetV2's classification feature layer, not part of a DeepLab encoder.
        return [name for name in backbone.layers if name != 'conv2']
    raise TypeError(
        f'cannot split backbone {type(backbone).__name__}: expected a ResNet-like backbone '
        "(attribute 'res_layers') or a MobileNetV2-like one (attributes 'conv1', 'layers')")


def _conv_strides(module: nn.Module) -> int:
    """Product of the spatial strides of the convolutions and pools on a module's main path.

    ResNet's ``downsample`` runs in parallel with the main path, so it is skipped.
    """
    stride = 1
    for name, m in module.named_modules():
        if 'downsample' in name.split('.'):
            continue
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            s = m.stride if isinstance(m.stride, int) else m.stride[0]
            stride *= s
    return stride


def split_backbone(backbone: nn.Module) -> BackboneSplit:
    """Cut a built backbone into a stem and its blocks.

    Args:
        backbone (nn.Module): A ResNet-like or MobileNetV2-like backbone instance.

    Returns:
        BackboneSplit: The stem, the named blocks and the stem's stride.
    """
    stem = nn.Sequential(_stem_children(backbone))
    blocks = []
    for stage in _stage_names(backbone):
        for i, block in enumerate(getattr(backbone, stage)):
            blocks.append((f'{stage}.{i}', block))
    return BackboneSplit(stem=stem, blocks=blocks, stem_stride=_conv_strides(stem))


def set_output_stride(blocks: List[nn.Module], stem_stride: int, output_stride: int) -> None:
    """Replace strides by dilation so the blocks end at ``output_stride`` (DeepLab style).

    Walks the blocks in order; once another stride-2 block would exceed ``output_stride``, its
    stride-2 convolutions get stride 1 and every k x k (k > 1) convolution of the blocks AFTER
    it is dilated by the accumulated factor (padding kept 'same'). The block that gives up its
    stride keeps the dilation before it, as in torchvision's ``replace_stride_with_dilation``
    and the BMTAS authors' MobileNetV2 (their 96->160 block: stride 1, dilation 1; the 160 and
    320 blocks after it: dilation 2).

    Args:
        blocks (list[nn.Module]): Blocks in execution order (modified in place).
        stem_stride (int): Stride of the input to the first block.
        output_stride (int): Wanted stride of the last block's output (power of 2).
    """
    if output_stride < stem_stride or output_stride & (output_stride - 1):
        raise ValueError(f'output_stride={output_stride} must be a power of 2 and at least '
                         f'the stem stride {stem_stride}')
    stride, dilation = stem_stride, 1
    for block in blocks:
        convs = [m for m in block.modules() if isinstance(m, nn.Conv2d)]
        block_dilation = dilation
        strided = [c for c in convs if c.stride[0] > 1]
        if strided:
            if stride * 2 <= output_stride:
                stride *= 2
            else:
                dilation *= 2
                for conv in strided:
                    conv.stride = (1, 1)
                if hasattr(block, 'stride'):
                    block.stride = 1
        if block_dilation > 1:
            for conv in convs:
                k = conv.kernel_size[0]
                if k > 1:
                    conv.dilation = (block_dilation, block_dilation)
                    conv.padding = (block_dilation * (k - 1) // 2, ) * 2


def last_batch_norm(block: nn.Module) -> _BatchNorm:
    """Return the last batch norm on a block's main path (not in a ``downsample`` shortcut).

    Args:
        block (nn.Module): A backbone block or context module.

    Returns:
        _BatchNorm: The batch norm whose output scales the block's contribution.
    """
    found = None
    for name, m in block.named_modules():
        if isinstance(m, _BatchNorm) and 'downsample' not in name.split('.'):
            found = m
    if found is None:
        raise ValueError(f'{type(block).__name__} has no batch norm on its main path')
    return found


def drop_affine(bn: _BatchNorm) -> None:
    """Turn a batch norm into a non-affine one in place (no learnable scale and shift).

    Args:
        bn (_BatchNorm): The batch norm to change.
    """
    bn.affine = False
    bn.register_parameter('weight', None)
    bn.register_parameter('bias', None)


def module_key(layer_name: str) -> str:
    """Return the ``nn.ModuleDict`` key of a layer name ('layer3.1' -> 'layer3__1'; torch
    forbids '.' in module names, and '__' matches the architecture-parameter keys)."""
    return layer_name.replace('.', '__')
