"""The inner-connected module of TripleNet (Cao et al., CVPR 2019)."""
from typing import Tuple

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from torch import Tensor


class InnerConnectedModule(BaseModule):
    """On one decoder level: predict class-aware segmentation logits and feed them back into
    the features the detection head reads.

    ``seg = conv3x3(x)`` (``num_classes`` logits, supervised by the model on segmentation
    batches); ``det_feat = conv1x1([x, conv3x3(seg)])``. Detection thus sees a segmentation
    prior at every scale, and its loss also trains the segmentation logits.

    Args:
        channels (int): Channels of the decoder level and of the output.
        num_classes (int): Segmentation classes.
        seg_channels (int): Channels of the embedded logits. Defaults to 32.
        norm_cfg (dict): Norm layers. Defaults to BN.
        act_cfg (dict): Activations. Defaults to ReLU.
    """

    def __init__(self, channels: int, num_classes: int, seg_channels: int = 32,
                 norm_cfg: dict = dict(type='BN'), act_cfg: dict = dict(type='ReLU')) -> None:
        super().__init__()
        self.seg_conv = nn.Conv2d(channels, num_classes, 3, padding=1)
        self.embed = ConvModule(num_classes, seg_channels, 3, padding=1, norm_cfg=norm_cfg,
                                act_cfg=act_cfg)
        self.fuse = ConvModule(channels + seg_channels, channels, 1, norm_cfg=norm_cfg,
                               act_cfg=act_cfg)

    def forward(self, x: Tensor) -> Tuple[Tensor, Tensor]:
        """Return ``(det_feat (B, C, H, W), seg_logits (B, num_classes, H, W))``."""
        seg = self.seg_conv(x)
        return self.fuse(torch.cat([x, self.embed(seg)], dim=1)), seg
