"""The encoder-decoder neck of TripleNet (Cao et al., CVPR 2019): extra encoder levels, a
top-down decoder whose levels fuse the encoder's skip features through attention skip-layer
fusion, and a class-agnostic segmentation (objectness) prediction on every decoder level."""
from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor

from mmmtnas.registry import MODELS


class AttentionSkipFusion(BaseModule):
    """Attention skip-layer fusion (ASF): an encoder feature joins the decoder at its scale,
    re-weighted by a channel attention computed from the (upsampled) decoder feature and by the
    objectness map the coarser decoder level predicts.

    ``skip' = skip * c(up) * (1 + sigmoid(o))`` with ``c`` a squeeze-excitation gate; the fused
    level is a 3x3 conv of ``[up, skip']``. The ``1 +`` keeps the background features (a pure
    product would zero them wherever the objectness is low, and the segmentation branch needs
    them).

    Args:
        channels (int): Channels of the skip, decoder and output features.
        reduction (int): Squeeze ratio of the channel attention. Defaults to 4.
        norm_cfg (dict): Norm of the fusion conv. Defaults to BN.
        act_cfg (dict): Activation of the fusion conv. Defaults to ReLU.
    """

    def __init__(self, channels: int, reduction: int = 4, norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU')) -> None:
        super().__init__()
        hidden = max(channels // reduction, 1)
        self.channel_attention = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Conv2d(channels, hidden, 1), nn.ReLU(inplace=True),
            nn.Conv2d(hidden, channels, 1), nn.Sigmoid())
        self.fuse = ConvModule(2 * channels, channels, 3, padding=1, norm_cfg=norm_cfg,
                               act_cfg=act_cfg)

    def forward(self, skip: Tensor, up: Tensor, objectness: Tensor) -> Tensor:
        """Fuse ``skip`` (B, C, H, W) with ``up`` (B, C, H, W) under ``objectness`` logits
        (B, 1, H, W); returns (B, C, H, W)."""
        attended = skip * self.channel_attention(up) * (1. + torch.sigmoid(objectness))
        return self.fuse(torch.cat([up, attended], dim=1))


@MODELS.register_module()
class TripleNetDecoder(BaseModule):
    """Encoder levels (backbone outputs plus stride-2 extra convs) -> top-down decoder.

    The coarsest decoder level is the last encoder level (1x1 lateral); each finer level
    upsamples the coarser one (nearest) and fuses the lateral of the encoder level of its scale
    through :class:`AttentionSkipFusion`. Every decoder level predicts one class-agnostic
    segmentation logit map (1x1 conv), which guides the next finer fusion and is supervised by
    the model.

    Args:
        in_channels (Sequence[int]): Channels of the backbone outputs, finest first.
        channels (int): Channels of every decoder level. Defaults to 128.
        num_extra_levels (int): Extra encoder levels (3x3 stride-2 conv + BN + ReLU each) on
            top of the last backbone output. Defaults to 2 (R18 strides 8..32 -> 8..128).
        reduction (int): ASF channel-attention squeeze ratio. Defaults to 4.
        norm_cfg (dict): Norm layers. Defaults to BN.
        act_cfg (dict): Activations. Defaults to ReLU.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 in_channels: Sequence[int],
                 channels: int = 128,
                 num_extra_levels: int = 2,
                 reduction: int = 4,
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        in_channels = list(in_channels)
        if not in_channels or num_extra_levels < 0:
            raise ValueError(f'TripleNetDecoder: need in_channels (got {in_channels}) and '
                             f'num_extra_levels >= 0 (got {num_extra_levels})')
        self.in_channels = in_channels
        self.channels = channels
        conv = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.extra_levels = nn.ModuleList(
            ConvModule(in_channels[-1] if i == 0 else channels, channels, 3, stride=2, padding=1,
                       **conv) for i in range(num_extra_levels))
        self.laterals = nn.ModuleList(ConvModule(c, channels, 1, **conv) for c in in_channels)
        self.num_levels = len(in_channels) + num_extra_levels
        self.fusions = nn.ModuleList(
            AttentionSkipFusion(channels, reduction, norm_cfg, act_cfg)
            for _ in range(self.num_levels - 1))
        self.objectness = nn.ModuleList(
            nn.Conv2d(channels, 1, 1) for _ in range(self.num_levels))

    def encoder_levels(self, inputs: Sequence[Tensor]) -> List[Tensor]:
        """Laterals of the backbone outputs, then the extra levels, finest first."""
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'TripleNetDecoder: {len(inputs)} backbone outputs for '
                             f'in_channels={self.in_channels}')
        levels = [lateral(x) for lateral, x in zip(self.laterals, inputs)]
        x = inputs[-1]
        for extra in self.extra_levels:
            x = extra(x)
            levels.append(x)
        return levels

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
        """Decode.

        Args:
            inputs (Sequence[Tensor]): Backbone outputs, finest first.

        Returns:
            tuple: ``(decoder levels, objectness logits)``, each a tuple finest first;
            objectness maps are (B, 1, H_l, W_l).
        """
        encoder = self.encoder_levels(inputs)
        top = len(encoder) - 1
        decoder = [encoder[top]]
        objectness = [self.objectness[top](encoder[top])]
        for level in range(top - 1, -1, -1):
            size = encoder[level].shape[-2:]
            up = F.interpolate(decoder[0], size=size, mode='nearest')
            guide = F.interpolate(objectness[0], size=size, mode='bilinear', align_corners=False)
            fused = self.fusions[level](encoder[level], up, guide)
            decoder.insert(0, fused)
            objectness.insert(0, self.objectness[level](fused))
        return tuple(decoder), tuple(objectness)
