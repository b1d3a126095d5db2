"""The layers of a branched encoder: a registry-built backbone cut into blocks, plus the
(R-)ASPP context module, and how copies of them are initialised.

Shared by the search supernet (T copies of every layer) and the derived branched network (one
copy per group of tasks), so both cut, dilate, name and initialise blocks the same way and a
branch file written from one fits the other.
"""
import copy
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.logging import print_log
from mmengine.model import initialize
from mmengine.runner.checkpoint import CheckpointLoader
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS
from .encoder_split import (_conv_strides, drop_affine, last_batch_norm, set_output_stride,
                            split_backbone)


def out_channels_of(block: nn.Module) -> int:
    """Output channels of a block: its ``out_channels`` attribute, else those of the last
    convolution on its main path."""
    if isinstance(getattr(block, 'out_channels', None), int):
        return block.out_channels
    convs = [m for n, m in block.named_modules()
             if isinstance(m, nn.Conv2d) and 'downsample' not in n.split('.')]
    return convs[-1].out_channels


@dataclass
class EncoderLayers:
    """A backbone (+ context module) as named layers.

    Attributes:
        stem (nn.Sequential): Shared stem (children keep the backbone's names).
        names (list[str]): Layer names in execution order ('layer3.1', ..., 'raspp').
        blocks (list[nn.Module]): One block per layer (templates to copy).
        context_layer (str, optional): Name of the context-module layer.
        low_level_layer (str): Last layer at ``low_level_stride``.
        low_level_channels (int): Its output channels.
        out_channels (int): Output channels of the last layer.
        block_init_cfg (list[dict]): The backbone's non-pretrained initialisation.
        pretrained (str, optional): Checkpoint for stem and backbone blocks (the 'Pretrained'
            ``init_cfg`` of the backbone config).
        pretrained_prefix (str, optional): Its key prefix.
    """
    stem: nn.Sequential
    names: List[str]
    blocks: List[nn.Module]
    context_layer: Optional[str]
    low_level_layer: str
    low_level_channels: int
    out_channels: int
    block_init_cfg: List[dict]
    pretrained: Optional[str]
    pretrained_prefix: Optional[str]


def _split_init_cfg(init_cfg) -> Tuple[List[dict], Optional[dict]]:
    """Return (non-pretrained init configs, the 'Pretrained' one if any)."""
    if init_cfg is None:
        return [], None
    cfgs = [init_cfg] if isinstance(init_cfg, dict) else list(init_cfg)
    pretrained = [dict(c) for c in cfgs if c.get('type') == 'Pretrained']
    return [dict(c) for c in cfgs if c.get('type') != 'Pretrained'], \
        (pretrained[0] if pretrained else None)


def build_encoder_layers(backbone: ConfigType,
                         context: OptConfigType = None,
                         output_stride: int = 16,
                         low_level_stride: int = 4,
                         last_bn_affine: bool = True) -> EncoderLayers:
    """Build a backbone from the registry and cut it into named layers.

    Args:
        backbone (dict): Backbone config. A ``dict(type='Pretrained', checkpoint=...,
            prefix=...)`` in its ``init_cfg`` (e.g. MMPretrain's ImageNet checkpoint, keys
            'backbone.*') is loaded into the stem and into every copy of every backbone block
            by :func:`init_encoder_copies`; its other ``init_cfg`` entries initialise the
            copies before that.
        context (dict, optional): Context-module config without ``in_channels``.
        output_stride (int): Stride of the last layer's output. Defaults to 16.
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        last_bn_affine (bool): Keep the affine of each layer's last batch norm.

    Returns:
        EncoderLayers: The layers and how to initialise them.
    """
    backbone = copy.deepcopy(dict(backbone))
    given = backbone.pop('init_cfg', None) if 'init_cfg' in backbone else None
    has_given = given is not None
    built = MODELS.build(backbone)
    block_init_cfg, pretrained_cfg = _split_init_cfg(given if has_given else built.init_cfg)
    pretrained = pretrained_cfg.get('checkpoint') if pretrained_cfg else None
    pretrained_prefix = pretrained_cfg.get('prefix') if pretrained_cfg else None
    if pretrained_cfg is not None and not pretrained:
        raise ValueError(f"{backbone.get('type')}: init_cfg type='Pretrained' needs a "
                         f'checkpoint (a path or URL), got {pretrained!r}')

    split = split_backbone(built)
    names = [name for name, _ in split.blocks]
    blocks = [block for _, block in split.blocks]
    set_output_stride(blocks, split.stem_stride, output_stride)
    stride, low = split.stem_stride, None
    for name, block in zip(names, blocks):
        stride *= _conv_strides(block)
        if stride == low_level_stride:
            low = (name, out_channels_of(block))
    if low is None:
        raise ValueError(f'no block outputs stride {low_level_stride} (stem stride '
                         f'{split.stem_stride}); set low_level_stride to one the backbone has')
    out_channels, context_layer = out_channels_of(blocks[-1]), None
    if context is not None:
        module = MODELS.build(dict(context, in_channels=out_channels))
        context_layer = getattr(module, 'layer_name', 'context')
        names.append(context_layer)
        blocks.append(module)
        out_channels = module.out_channels
    if not last_bn_affine:
        for block in blocks:
            drop_affine(last_batch_norm(block))
    return EncoderLayers(stem=split.stem, names=names, blocks=blocks,
                         context_layer=context_layer, low_level_layer=low[0],
                         low_level_channels=low[1], out_channels=out_channels,
                         block_init_cfg=block_init_cfg, pretrained=pretrained,
                         pretrained_prefix=pretrained_prefix)


def load_backbone_checkpoint(filename: str, prefix: Optional[str] = None) -> Dict[str, Tensor]:
    """Read a backbone state dict from an ImageNet-format checkpoint.

    Args:
        filename (str): Checkpoint path or URL (any scheme MMEngine's loader knows).
        prefix (str, optional): Keep only keys under this prefix and strip it. By default
            'backbone.' is stripped when the keys carry it (MMPretrain classifier checkpoints).

    Returns:
        dict[str, Tensor]: Keys in the backbone's own naming ('layer2.1.conv.0.conv.weight').
    """
    ckpt = CheckpointLoader.load_checkpoint(filename, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{filename}: expected a state dict or a dict with "state_dict"')
    if prefix is None and any(k.startswith('backbone.') for k in state):
        prefix = 'backbone.'
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return state


def load_into_blocks(state: Dict[str, Tensor], targets: Dict[str, Sequence[nn.Module]],
                     filename: str) -> None:
    """Load backbone weights into modules named by their backbone path.

    Args:
        state (dict[str, Tensor]): Backbone state dict (from :func:`load_backbone_checkpoint`).
        targets (dict[str, list[nn.Module]]): Backbone module path ('' for the stem, whose
            children keep the backbone's names) -> the modules that receive its weights.
        filename (str): Checkpoint name, for messages.
    """
    matched, missing = set(), []
    for path, modules in targets.items():
        head = f'{path}.' if path else ''
        sub = {k[len(head):]: v for k, v in state.items() if k.startswith(head)}
        for module in modules:
            own = set(module.state_dict())
            result = module.load_state_dict({k: v for k, v in sub.items() if k in own},
                                            strict=False)
            missing += [f'{head}{k}' for k in result.missing_keys]
            matched |= {f'{head}{k}' for k in sub if k in own}
    if not matched:
        raise ValueError(f'{filename}: no key matches the backbone (first keys: '
                         f'{list(state)[:3]}); is it a checkpoint of this backbone?')
    if missing:
        print_log(f'{filename}: {len(set(missing))} backbone weights not in the checkpoint, '
                  f'e.g. {sorted(set(missing))[:3]}', logger='current')


def init_context_module(module: nn.Module) -> None:
    """Draw a context module's weights afresh: its ``init_weights`` and that of every
    ``ConvModule`` in it. MMEngine's ``init_weights`` only reaches children that have one, so
    it misses the convolutions inside plain containers (MMSeg's ``ASPPModule``, the image-pooling
    branch), which would otherwise keep the weights of the template every copy was made from.

    Args:
        module (nn.Module): An (R-)ASPP or other context module.
    """
    module.init_weights()
    for m in module.modules():
        if isinstance(m, ConvModule):
            m.init_weights()


def init_encoder_copies(layers: EncoderLayers, stem: nn.Module,
                        copies: Dict[str, Sequence[nn.Module]]) -> None:
    """Initialise a stem and copies of the layers' blocks.

    Each copy is initialised on its own (so, without a checkpoint, copies start different, as
    separately built networks would): backbone blocks with the backbone's ``init_cfg`` (or
    their modules' ``reset_parameters``), context modules by :func:`init_context_module`. Then
    ``layers.pretrained`` is loaded into the stem and every backbone-block copy.

    Args:
        layers (EncoderLayers): Where the blocks came from.
        stem (nn.Module): The stem in use.
        copies (dict[str, list[nn.Module]]): Layer name -> the copies of its block.
    """
    for name in [None] + list(copies):
        modules = [stem] if name is None else list(copies[name])
        for module in modules:
            if name is not None and name == layers.context_layer:
                init_context_module(module)
            elif layers.block_init_cfg:
                initialize(module, layers.block_init_cfg)
            else:
                for m in module.modules():
                    if hasattr(m, 'reset_parameters'):
                        m.reset_parameters()
    if layers.pretrained:
        state = load_backbone_checkpoint(layers.pretrained, layers.pretrained_prefix)
        targets = {'': [stem]}
        targets.update({name: list(mods) for name, mods in copies.items()
                        if name != layers.context_layer})
        load_into_blocks(state, targets, layers.pretrained)
