"""MTAN (Liu et al., CVPR 2019): task attention modules over one shared encoder.

Follows the authors' ResNet version (github.com/lorenmt/mtan, ``MTANDeepLabv3``): at every
backbone stage each task computes a soft mask from the input of the stage's last block (and its
own attended features of the stage before) and applies it to the stage's output; a refinement
block shared by the tasks (a bottleneck with a 1x1 shortcut) carries the attended features to
the next stage's width, max-pooled where the resolution halves. The last stage's attended
features go to the task's own context module ((R-)ASPP) and decoder.
"""
import copy
import dataclasses
from typing import Dict, List, Sequence, Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule, build_activation_layer
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.models.branched.encoder_layers import build_encoder_layers, init_encoder_copies
from mmmtnas.models.branched.encoder_split import _conv_strides, module_key
from mmmtnas.registry import MODELS
from .columns import Stage, encoder_stages


class AttentionMask(nn.Sequential):
    """A task's soft mask in (0, 1): 1x1 conv, norm, act, 1x1 conv, norm, sigmoid.

    Args:
        in_channels (int): Input channels.
        mid_channels (int): Hidden channels.
        out_channels (int): Channels of the mask (those of the features it gates).
        norm_cfg (dict): Norm config.
        act_cfg (dict): Hidden activation.
    """

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int,
                 norm_cfg: ConfigType, act_cfg: ConfigType) -> None:
        super().__init__(
            ConvModule(in_channels, mid_channels, 1, norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(mid_channels, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None),
            nn.Sigmoid())


class RefineBlock(BaseModule):
    """MTAN's shared refinement: a bottleneck (1x1, 3x3, 1x1; width ``out_channels // 4``)
    plus a 1x1 projection shortcut, summed and activated; the 3x3 convolution optionally
    depthwise separable (the BMTAS appendix, for MobileNetV2).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        separable (bool): Depthwise-separable 3x3 convolution.
        norm_cfg (dict): Norm config.
        act_cfg (dict): Activation.
    """

    def __init__(self, in_channels: int, out_channels: int, separable: bool,
                 norm_cfg: ConfigType, act_cfg: ConfigType) -> None:
        super().__init__()
        mid = max(out_channels // 4, 1)
        conv3 = DepthwiseSeparableConvModule if separable else ConvModule
        self.main = nn.Sequential(
            ConvModule(in_channels, mid, 1, norm_cfg=norm_cfg, act_cfg=act_cfg),
            conv3(mid, mid, 3, padding=1, norm_cfg=norm_cfg, act_cfg=act_cfg),
            ConvModule(mid, out_channels, 1, norm_cfg=norm_cfg, act_cfg=None))
        self.shortcut = ConvModule(in_channels, out_channels, 1, norm_cfg=norm_cfg,
                                   act_cfg=None)
        self.act = build_activation_layer(act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        return self.act(self.main(x) + self.shortcut(x))


@MODELS.register_module()
class MTANEncoder(BaseModule):
    """Shared DeepLab encoder with MTAN task attention at every backbone stage.

    Follows the dense encoder contract (``forward(x) -> {task: (low_level, high_level)}``):
    the low-level features of a task are its attended features of the stage at
    ``low_level_stride``, the high-level ones its own context module's output.

    Args:
        tasks (Sequence[str]): Tasks.
        backbone (dict): Backbone config, as for ``BranchedNetwork`` (its 'Pretrained'
            ``init_cfg`` is loaded into the shared stem and blocks).
        context (dict, optional): Context module config; one copy per task.
        output_stride (int): Stride of the backbone's output. Defaults to 16 (the authors'
            ResNet-50 MTAN: 8).
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        att_reduction (int): Hidden width of an attention mask = its output width divided by
            this (the authors' ResNet version: 4; MTAN's SegNet: 1). Defaults to 4.
        separable (bool): Depthwise-separable 3x3 convolutions in the refinement blocks.
            Defaults to False.
        norm_cfg (dict): Norm of the attention parts. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Their activation. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 tasks: Sequence[str],
                 backbone: ConfigType,
                 context: OptConfigType = dict(type='mmmtnas.EncoderRASPP'),
                 output_stride: int = 16,
                 low_level_stride: int = 4,
                 att_reduction: int = 4,
                 separable: bool = False,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        self.tasks: List[str] = list(tasks)
        if not self.tasks or len(set(self.tasks)) != len(self.tasks):
            raise ValueError(f'MTANEncoder: tasks must be unique and non-empty: {self.tasks}')
        if att_reduction < 1:
            raise ValueError(f'MTANEncoder: att_reduction must be >= 1, got {att_reduction}')
        layers = build_encoder_layers(backbone, context, output_stride, low_level_stride)
        stages, _, _ = encoder_stages(layers)
        self.context_layer = layers.context_layer
        self.stages: List[Stage] = [s for s in stages if s.name != layers.context_layer]
        self.low_level_stage = next(s.name for s in self.stages
                                    if layers.low_level_layer in s.layers)
        if self.stages_by_name[self.low_level_stage].layers[-1] != layers.low_level_layer:
            raise ValueError(f'MTANEncoder: the low-level layer {layers.low_level_layer!r} '
                             f'must end its stage {self.low_level_stage}')
        self.low_level_channels = layers.low_level_channels
        self.out_channels = layers.out_channels
        self.stem = layers.stem
        self.blocks = nn.ModuleDict({
            module_key(n): b for n, b in zip(layers.names, layers.blocks)
            if n != layers.context_layer})
        self.context = nn.ModuleDict({
            t: copy.deepcopy(layers.blocks[-1]) for t in self.tasks}) \
            if layers.context_layer else None
        self._check_last_blocks_keep_resolution(layers)
        self.attention = nn.ModuleDict()
        self.refine = nn.ModuleDict()
        self.pool = nn.ModuleDict()
        for i, stage in enumerate(self.stages):
            in_channels = stage.in_channels_last * (1 if i == 0 else 2)
            mid = max(stage.channels // att_reduction, 1)
            self.attention[stage.name] = nn.ModuleDict({
                t: AttentionMask(in_channels, mid, stage.channels, norm_cfg, act_cfg)
                for t in self.tasks})
            if i + 1 < len(self.stages):
                nxt = self.stages[i + 1]
                self.refine[stage.name] = RefineBlock(stage.channels, nxt.in_channels_last,
                                                      separable, norm_cfg, act_cfg)
                ratio = nxt.stride // stage.stride
                if ratio not in (1, 2):
                    raise ValueError(f'MTANEncoder: stage {nxt.name} has stride {nxt.stride} '
                                     f'after {stage.stride}; only 1x or 2x steps are handled')
                # ceil_mode: the size a stride-2 3x3 conv (padding 1) gives on odd inputs
                self.pool[stage.name] = nn.MaxPool2d(2, 2, ceil_mode=True) \
                    if ratio == 2 else nn.Identity()
        self._init_spec = dataclasses.replace(layers, stem=None, blocks=[])
        self._layer_names = layers.names

    @property
    def stages_by_name(self) -> Dict[str, Stage]:
        return {s.name: s for s in self.stages}

    def _check_last_blocks_keep_resolution(self, layers) -> None:
        """A mask is computed from the input of a stage's last block and gates its output:
        both need the same resolution."""
        blocks = dict(zip(layers.names, layers.blocks))
        for stage in self.stages:
            if _conv_strides(blocks[stage.layers[-1]]) != 1:
                raise ValueError(f'MTANEncoder: the last block of stage {stage.name} '
                                 f'({stage.layers[-1]}) changes the resolution; MTAN gates its '
                                 'output with a mask computed from its input')

    def init_weights(self) -> None:
        """Default initialisation, then ImageNet into the shared stem and blocks; each task's
        context module drawn on its own."""
        super().init_weights()
        copies = {n: [self.blocks[module_key(n)]] for n in self._layer_names
                  if n != self.context_layer}
        if self.context is not None:
            copies[self.context_layer] = list(self.context.values())
        init_encoder_copies(self._init_spec, self.stem, copies)

    def forward(self, x: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Shared backbone, task attention per stage, task context modules.

        Args:
            x (Tensor): Images, ``[N, C, H, W]``.

        Returns:
            dict[str, tuple[Tensor, Tensor]]: Per task, (low-level, high-level) features.
        """
        x = self.stem(x)
        carried: Dict[str, Tensor] = {}
        attended: Dict[str, Tensor] = {}
        low: Dict[str, Tensor] = {}
        for i, stage in enumerate(self.stages):
            for name in stage.layers[:-1]:
                x = self.blocks[module_key(name)](x)
            before_last = x
            x = self.blocks[module_key(stage.layers[-1])](x)
            for t in self.tasks:
                cue = before_last if i == 0 else torch.cat([before_last, carried[t]], dim=1)
                attended[t] = self.attention[stage.name][t](cue) * x
                if stage.name in self.refine:
                    carried[t] = self.pool[stage.name](self.refine[stage.name](attended[t]))
            if stage.name == self.low_level_stage:
                low = dict(attended)
        high = {t: self.context[t](attended[t]) if self.context is not None else attended[t]
                for t in self.tasks}
        return {t: (low[t], high[t]) for t in self.tasks}
