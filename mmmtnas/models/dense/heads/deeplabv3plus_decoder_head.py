"""DeepLabv3+ decoder as the head of one dense task (the ASPP / R-ASPP sits in the encoder)."""
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.losses import accuracy
from mmseg.utils import SampleList
from torch import Tensor

from mmmtnas.registry import MODELS

POSTPROCESS = ('argmax', 'sigmoid', 'normalize', 'identity')


@MODELS.register_module()
class DeepLabV3PlusDecoderHead(BaseDecodeHead):
    """DeepLabv3+ decoder for one dense task: low-level (stride 4) + high-level features.

    The high-level features are upsampled to the low-level resolution and concatenated with a
    1x1 reduction (``c1_channels``) of the low-level ones, then two 3x3 convolutions
    (depthwise-separable for MobileNetV2, as in mmseg's ``DepthwiseSeparableASPPHead``) and the
    task classifier. BMTAS counts the ASPP / R-ASPP as part of the (possibly branched) encoder,
    so unlike ``mmseg.DepthwiseSeparableASPPHead`` this head has none.

    The head owns its task's maths: it reads ``gt_<task>`` for the loss and writes
    post-processed maps for ``pred_<task>``:

    - ``argmax``: class labels (semantic segmentation, human parts); CE-style loss on labels.
    - ``sigmoid``: probabilities (saliency, edges); loss on 0/1 maps with ignore.
    - ``normalize``: unit vectors (surface normals).
    - ``identity``: raw values (depth).

    Args:
        task (str): Task name.
        in_channels (Sequence[int]): ``(low_level, high_level)`` channels.
        channels (int): Decoder width. Defaults to 256.
        num_classes (int): Output channels (classes; 1 for saliency/edges/depth; 3 normals).
        c1_channels (int): Width of the low-level reduction. Defaults to 48.
        separable (bool): Depthwise-separable 3x3 convolutions. Defaults to True.
        postprocess (str): One of ``POSTPROCESS``. Defaults to ``'argmax'``.
        dropout_ratio (float): Dropout before the classifier. Defaults to 0 (BMTAS has none).
        **kwargs: Passed to :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead`
            (``loss_decode``, ``norm_cfg``, ``act_cfg``, ``ignore_index``, ...).
    """

    def __init__(self,
                 task: str,
                 in_channels: Sequence[int],
                 channels: int = 256,
                 *,
                 num_classes: int,
                 c1_channels: int = 48,
                 separable: bool = True,
                 postprocess: str = 'argmax',
                 dropout_ratio: float = 0.0,
                 **kwargs) -> None:
        if postprocess not in POSTPROCESS:
            raise ValueError(f'{task}: postprocess must be one of {POSTPROCESS}, '
                             f'got {postprocess!r}')
        if len(in_channels) != 2:
            raise ValueError(f'{task}: in_channels must be (low_level, high_level), '
                             f'got {in_channels}')
        # BaseDecodeHead insists on num_classes == out_channels except binary (1 channel);
        # regression outputs (normals, depth) are "classes" here only in name.
        kwargs.setdefault('threshold', 0.5)
        super().__init__(
            in_channels=list(in_channels), channels=channels, num_classes=num_classes,
            out_channels=num_classes, dropout_ratio=dropout_ratio, in_index=[0, 1],
            input_transform='multiple_select', **kwargs)
        self.task = task
        self.postprocess = postprocess
        low_c, high_c = in_channels
        self.c1_bottleneck = ConvModule(
            low_c, c1_channels, 1, conv_cfg=self.conv_cfg, norm_cfg=self.norm_cfg,
            act_cfg=self.act_cfg)
        conv = DepthwiseSeparableConvModule if separable else ConvModule
        self.sep_bottleneck = torch.nn.Sequential(
            conv(high_c + c1_channels, channels, 3, padding=1, norm_cfg=self.norm_cfg,
                 act_cfg=self.act_cfg),
            conv(channels, channels, 3, padding=1, norm_cfg=self.norm_cfg,
                 act_cfg=self.act_cfg))

    def forward(self, inputs: Tuple[Tensor, Tensor]) -> Tensor:
        """Logits at the low-level (stride 4) resolution."""
        low, high = self._transform_inputs(inputs)
        high = F.interpolate(high, size=low.shape[2:], mode='bilinear',
                             align_corners=self.align_corners)
        x = torch.cat([high, self.c1_bottleneck(low)], dim=1)
        return self.cls_seg(self.sep_bottleneck(x))

    def _stack_batch_gt(self, batch_data_samples: SampleList) -> Tensor:
        field = f'gt_{self.task}'
        gts = []
        for sample in batch_data_samples:
            if field not in sample:
                raise KeyError(f"data sample has no '{field}': is task '{self.task}' in the "
                               f"dataset's tasks? (img_path={sample.get('img_path')})")
            gts.append(sample.get(field).data)
        return torch.stack(gts, dim=0)

    def loss_by_feat(self, seg_logits: Tensor, batch_data_samples: SampleList) -> dict:
        """Task losses of logits upsampled to the ground truth's size.

        Returns:
            dict[str, Tensor]: One entry per loss (``loss_decode``) plus ``acc_seg`` for
            labelling tasks.
        """
        gt = self._stack_batch_gt(batch_data_samples)  # (N, C, H, W)
        logits = F.interpolate(seg_logits, size=gt.shape[2:], mode='bilinear',
                               align_corners=self.align_corners)
        if self.postprocess == 'argmax':
            target = gt.squeeze(1).long()
        else:
            target = gt.to(logits.dtype)
        losses = {}
        losses_decode = (self.loss_decode if isinstance(self.loss_decode, torch.nn.ModuleList)
                         else [self.loss_decode])
        for loss_decode in losses_decode:
            value = loss_decode(logits, target, ignore_index=self.ignore_index)
            losses[loss_decode.loss_name] = losses.get(loss_decode.loss_name, 0) + value
        if self.postprocess == 'argmax':
            losses['acc_seg'] = accuracy(logits, target, ignore_index=self.ignore_index)
        return losses

    def predict(self, inputs: Tuple[Tensor, Tensor], batch_img_metas: List[dict],
                test_cfg=None) -> List[Tensor]:
        """Post-processed maps, one ``(C, h, w)`` tensor per image, cropped to the image."""
        return self.predict_by_feat(self.forward(inputs), batch_img_metas)

    def predict_by_feat(self, seg_logits: Tensor, batch_img_metas: List[dict]) -> List[Tensor]:
        """Upsample to the padded batch size, crop each image's valid part (``img_shape`` at
        the offset its ``padding_size`` gives, if any), post-process."""
        size = batch_img_metas[0].get('batch_input_shape') or batch_img_metas[0].get(
            'pad_shape') or batch_img_metas[0]['img_shape']
        logits = F.interpolate(seg_logits, size=tuple(size[:2]), mode='bilinear',
                               align_corners=self.align_corners)
        outputs = []
        for logit, meta in zip(logits, batch_img_metas):
            h, w = meta['img_shape'][:2]
            left, _, top, _ = meta.get('padding_size') or (0, 0, 0, 0)
            outputs.append(self.postprocess_logits(logit[:, top:top + h, left:left + w]))
        return outputs

    def postprocess_logits(self, logits: Tensor) -> Tensor:
        """Turn ``(C, h, w)`` logits into this task's prediction."""
        if self.postprocess == 'argmax':
            return logits.argmax(0, keepdim=True)
        if self.postprocess == 'sigmoid':
            return logits.sigmoid()
        if self.postprocess == 'normalize':
            return F.normalize(logits, dim=0)
        return logits
