"""Context modules that close a DeepLab-style encoder: ASPP (ResNet) and R-ASPP (MobileNetV2).

BMTAS counts the (R-)ASPP module as the last encoder layer, so tasks may share or branch it
like any block; the decoders that follow only fuse it with the stride-4 low-level features.
These are therefore plain ``nn.Module`` blocks with one input and one output, unlike MMSeg's
``ASPPHead`` (a decode head that also owns the classifier and the loss). The dilated branches
reuse MMSeg's ``ASPPModule``.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS


class _ImagePool(nn.Module):
    """Global average pooling, 1x1 conv (+ norm, activation), then broadcast back to the input
    size. The norm sees one value per image and channel, so training needs batches of 2 or more
    (as in MMSeg's ``ASPPHead`` and the BMTAS authors' R-ASPP)."""

    def __init__(self, in_channels: int, channels: int, conv_cfg: OptConfigType,
                 norm_cfg: OptConfigType, act_cfg: ConfigType) -> None:
        super().__init__()
        self.conv = ConvModule(in_channels, channels, 1, conv_cfg=conv_cfg,
                               norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        pooled = self.conv(F.adaptive_avg_pool2d(x, 1))
        return pooled.expand(-1, -1, x.shape[2], x.shape[3])


@MODELS.register_module()
class EncoderASPP(BaseModule):
    """Atrous spatial pyramid pooling as an encoder block (DeepLabv3, for ResNet).

    Args:
        in_channels (int): Input channels (the last backbone block's).
        channels (int): Output channels. Defaults to 256.
        dilations (tuple[int]): Dilations of the parallel branches (1 = a 1x1 conv).
            Defaults to (1, 6, 12, 18), the rates for output stride 16.
        conv_cfg (dict, optional): Conv config. Defaults to None.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialisation config.
    """
    layer_name = 'aspp'

    def __init__(self,
                 in_channels: int,
                 channels: int = 256,
                 dilations: tuple = (1, 6, 12, 18),
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        self.in_channels = in_channels
        self.out_channels = channels
        self.image_pool = _ImagePool(in_channels, channels, conv_cfg, norm_cfg, act_cfg)
        self.aspp_modules = ASPPModule(dilations, in_channels, channels, conv_cfg, norm_cfg,
                                       act_cfg)
        self.project = ConvModule((len(dilations) + 1) * channels, channels, 1,
                                  conv_cfg=conv_cfg, norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        """Concatenate the pooled and dilated branches and project them."""
        outs = [self.image_pool(x)] + self.aspp_modules(x)
        return self.project(torch.cat(outs, dim=1))


@MODELS.register_module()
class EncoderRASPP(BaseModule):
    """Reduced ASPP of MobileNetV2 (Sandler et al. 2018) as an encoder block.

    One 1x1 conv branch and one image-pooling branch (each conv + norm + activation),
    concatenated, optionally dropped out, and projected; no dilated 3x3 branches (they dominate
    ASPP's cost on a light backbone). The BMTAS authors' R-ASPP is 128 channels wide with
    dropout 0.1 before the projection in the trained networks and none in the supergraph.

    Args:
        in_channels (int): Input channels (the last backbone block's).
        channels (int): Output channels. Defaults to 128.
        dropout_ratio (float): Element-wise dropout on the concatenated branches (training
            only). Defaults to 0.
        conv_cfg (dict, optional): Conv config. Defaults to None.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to ``dict(type='ReLU6')``.
        init_cfg (dict, optional): Initialisation config.
    """
    layer_name = 'raspp'

    def __init__(self,
                 in_channels: int,
                 channels: int = 128,
                 dropout_ratio: float = 0.,
                 conv_cfg: OptConfigType = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU6'),
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if not 0. <= dropout_ratio < 1.:
            raise ValueError(f'EncoderRASPP: dropout_ratio must be in [0, 1), got '
                             f'{dropout_ratio}')
        self.in_channels = in_channels
        self.out_channels = channels
        self.conv = ConvModule(in_channels, channels, 1, conv_cfg=conv_cfg, norm_cfg=norm_cfg,
                               act_cfg=act_cfg)
        self.image_pool = _ImagePool(in_channels, channels, conv_cfg, norm_cfg, act_cfg)
        self.dropout = nn.Dropout(dropout_ratio) if dropout_ratio > 0 else nn.Identity()
        self.project = ConvModule(2 * channels, channels, 1, conv_cfg=conv_cfg,
                                  norm_cfg=norm_cfg, act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tensor:
        """Concatenate the 1x1 and pooled branches, drop out, and project them."""
        return self.project(self.dropout(torch.cat([self.conv(x), self.image_pool(x)], dim=1)))
