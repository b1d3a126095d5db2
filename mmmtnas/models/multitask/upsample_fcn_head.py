"""The FCN-style segmentation branch of the MTNAS hand-crafted baseline (paper §3.1)."""
from typing import List, Tuple

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.utils import ConfigType
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class UpsampleFCNHead(BaseDecodeHead):
    """Stacked learned x2 upsampling layers, each followed by ReLU then BN, then a 1x1 classifier.

    MTNAS §3.1: "similar to FCN, we stack several upsampling layers (each followed by ReLU
    activation and Batch Normalization) for pixel-wise prediction". Each layer is a 4x4
    transposed convolution with stride 2; the logits come out at ``stride / 2**num_upsamples`` of
    the input and :class:`BaseDecodeHead` resizes them to the label (loss) or input (predict)
    size, so loss, sampling, ``ignore_index`` and prediction are the upstream ones.

    Args:
        num_upsamples (int): Number of x2 upsampling layers. Defaults to 2.
        upsample_channels (Sequence[int], optional): Output channels of each upsampling layer;
            defaults to ``channels`` for all of them (the last one must equal ``channels``, the
            input of ``conv_seg``).
        norm_cfg (dict): Norm layer after each ReLU. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation after each upsampling. Defaults to ``dict(type='ReLU')``.
        **kwargs: :class:`BaseDecodeHead` arguments (``in_channels``, ``channels``,
            ``num_classes``, ``in_index``, ``loss_decode``, ``ignore_index``, ...).
    """

    def __init__(self,
                 num_upsamples: int = 2,
                 upsample_channels: Tuple[int, ...] = None,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'),
                 **kwargs) -> None:
        super().__init__(norm_cfg=norm_cfg, act_cfg=act_cfg, **kwargs)
        if num_upsamples < 1:
            raise ValueError(f'UpsampleFCNHead: num_upsamples must be >= 1, got {num_upsamples}')
        if upsample_channels is None:
            upsample_channels = (self.channels, ) * num_upsamples
        upsample_channels = tuple(upsample_channels)
        if len(upsample_channels) != num_upsamples or upsample_channels[-1] != self.channels:
            raise ValueError(
                f'UpsampleFCNHead: upsample_channels={upsample_channels} must have '
                f'num_upsamples={num_upsamples} entries and end with channels={self.channels}')
        layers: List[nn.Module] = []
        in_channels = self.in_channels
        for out_channels in upsample_channels:
            layers.append(
                ConvModule(
                    in_channels,
                    out_channels,
                    kernel_size=4,
                    stride=2,
                    padding=1,
                    conv_cfg=dict(type='deconv'),
                    norm_cfg=self.norm_cfg,
                    act_cfg=self.act_cfg,
                    order=('conv', 'act', 'norm')))
            in_channels = out_channels
        self.upsamples = nn.Sequential(*layers)

    def forward(self, inputs: Tuple[Tensor]) -> Tensor:
        """Upsample the selected feature map and classify every pixel.

        Args:
            inputs (tuple[Tensor]): Multi-level features (B, C, H, W).

        Returns:
            Tensor: Logits (B, num_classes, H * 2**num_upsamples, W * 2**num_upsamples).
        """
        x = self._transform_inputs(inputs)
        return self.cls_seg(self.upsamples(x))
