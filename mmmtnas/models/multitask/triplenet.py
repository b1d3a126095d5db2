"""TripleNet (Cao et al., "Triply Supervised Decoder Networks for Joint Detection and
Segmentation", CVPR 2019) on the parts of the driving multi-task models."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmseg.utils import add_prefix
from torch import Tensor

from mmmtnas.registry import MODELS
from .det_seg_multitask_model import DetSegMultiTaskModel, SampleList
from .inner_connected_module import InnerConnectedModule


def box_masks(bboxes: Sequence[Tensor], size: Tuple[int, int],
              input_shape: Tuple[int, int]) -> Tensor:
    """Class-agnostic segmentation targets from boxes: a cell of a ``size`` grid over the
    ``input_shape`` image is foreground when its centre lies inside a box.

    Args:
        bboxes (Sequence[Tensor]): Per image, (N, 4) ``x1, y1, x2, y2`` in input pixels.
        size (tuple[int, int]): (h, w) of the grid (a feature level).
        input_shape (tuple[int, int]): (H, W) of the (padded) input.

    Returns:
        Tensor: (B, 1, h, w) float, 1 inside a box.
    """
    h, w = size
    device = bboxes[0].device if len(bboxes) else 'cpu'
    ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * (input_shape[0] / h)
    xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * (input_shape[1] / w)
    masks = []
    for boxes in bboxes:
        boxes = boxes.float().reshape(-1, 4)
        inside_x = (xs[None] >= boxes[:, 0:1]) & (xs[None] <= boxes[:, 2:3])  # (N, w)
        inside_y = (ys[None] >= boxes[:, 1:2]) & (ys[None] <= boxes[:, 3:4])  # (N, h)
        inside = (inside_y[:, :, None] & inside_x[:, None, :]).any(dim=0)
        masks.append(inside.float()[None])
    return torch.stack(masks)


@MODELS.register_module()
class TripleNet(DetSegMultiTaskModel):
    """Encoder-decoder multi-task network with three supervisions on every decoder level.

    * encoder: the backbone (e.g. ResNet-18) plus extra stride-2 levels, then a top-down
      decoder (:class:`~mmmtnas.models.multitask.TripleNetDecoder`, the ``neck``) with
      attention skip-layer fusion;
    * detection on every decoder level (an MMDetection SSD head), each level's features
      refined by an :class:`InnerConnectedModule` (``det_icm``);
    * class-aware segmentation on every decoder level (the ICM logits, training only) and
      multi-scale fused segmentation for the output (an MMSegmentation decode head over all
      decoder levels, e.g. ``mmseg.SegformerHead``: 1x1 convs, upsample, concatenate, fuse);
    * class-agnostic segmentation on every decoder level (the decoder's objectness maps, which
      guide the skip fusions), supervised by masks of the detection boxes.

    Args:
        backbone (dict): Encoder backbone.
        neck (dict): The decoder, ``mmmtnas.TripleNetDecoder``.
        det_head (dict): Detection head over the decoder levels.
        seg_head (dict): MMSegmentation decode head over the decoder levels (fused output).
        icm_channels (int): Channels of the embedded logits in each ICM. Defaults to 32.
        objectness_loss_weight (float): Weight of the class-agnostic BCE (mean over levels).
            Defaults to 1.0.
        aux_seg_loss_weight (float): Weight of the per-level class-aware CE (mean over
            levels). Defaults to 1.0.
        task_weights (dict, optional): As in :class:`DetSegMultiTaskModel`.
        data_preprocessor (dict, optional): As in :class:`DetSegMultiTaskModel`.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: ConfigType,
                 det_head: ConfigType,
                 seg_head: ConfigType,
                 icm_channels: int = 32,
                 objectness_loss_weight: float = 1.,
                 aux_seg_loss_weight: float = 1.,
                 task_weights: Optional[Dict[str, float]] = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(backbone=backbone, neck=neck, det_head=det_head, seg_head=seg_head,
                         task_weights=task_weights, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        levels = getattr(self.neck, 'num_levels', None)
        if levels is None or len(self.det_head.in_channels) != levels:
            raise ValueError(f'TripleNet: the neck must be a TripleNetDecoder whose levels '
                             f'({levels}) feed det_head.in_channels '
                             f'({len(self.det_head.in_channels)} levels)')
        self.det_icm = nn.ModuleList(
            InnerConnectedModule(self.neck.channels, self.seg_head.num_classes, icm_channels)
            for _ in range(levels))
        self.objectness_loss_weight = float(objectness_loss_weight)
        self.aux_seg_loss_weight = float(aux_seg_loss_weight)

    # ------------------------------------------------------------------ wiring
    def decode(self, inputs: Tensor) -> Tuple[Tuple[Tensor, ...], Tuple[Tensor, ...]]:
        """Decoder levels and their objectness logits, finest first."""
        return self.neck(self.backbone(inputs))

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """The decoder levels (what the segmentation head reads)."""
        return self.decode(inputs)[0]

    def _det_feat(self, feats: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
        return tuple(icm(f)[0] for icm, f in zip(self.det_icm, feats))

    def unused_in_some_steps(self) -> List[str]:
        """As :meth:`DetSegMultiTaskModel.unused_in_some_steps`, plus the ICMs (a
        segmentation batch uses only their logits)."""
        names = super().unused_in_some_steps()
        return names + [n for n, _ in self.named_parameters() if n.startswith('det_icm.')]

    # ------------------------------------------------------------------ training
    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of the labelled tasks: detection + class-agnostic segmentation on detection
        samples; fused + per-level class-aware segmentation on segmentation samples.

        Args:
            inputs (Tensor): Images (B, C, H, W).
            data_samples (list): Their det and/or seg data samples.

        Returns:
            dict[str, Tensor]: Weighted losses prefixed ``det.`` / ``seg.``.
        """
        feats, objectness = self.decode(inputs)
        labelled = self.labelled_tasks(data_samples)
        if not labelled:
            raise ValueError('TripleNet.loss: no sample of the batch is labelled')
        losses = dict()
        for task, idx in labelled.items():
            pick = self._picker(idx, len(data_samples), inputs.device)
            samples = [data_samples[i] for i in idx]
            if task == 'det':
                task_losses = self._det_losses(pick(feats), pick(objectness), samples,
                                               tuple(inputs.shape[-2:]))
            else:
                task_losses = self._seg_losses(pick(feats), self._as_seg_samples(samples))
            losses.update(add_prefix(self._weighted(task_losses, self.task_weights[task]), task))
        return losses

    @staticmethod
    def _picker(idx: List[int], batch: int, device):
        if len(idx) == batch:
            return lambda xs: xs
        index = torch.as_tensor(idx, device=device)
        return lambda xs: tuple(x.index_select(0, index) for x in xs)

    def _det_losses(self, feats, objectness, samples, input_shape) -> dict:
        losses = self.det_head.loss(self._det_feat(feats), samples)
        bboxes = [s.gt_instances.bboxes for s in samples]
        bce = []
        for logits in objectness:
            target = box_masks(bboxes, tuple(logits.shape[-2:]), input_shape).to(logits)
            bce.append(F.binary_cross_entropy_with_logits(logits, target))
        losses['loss_objectness'] = self.objectness_loss_weight * torch.stack(bce).mean()
        return losses

    def _seg_losses(self, feats, samples) -> dict:
        losses = self.seg_head.loss(feats, samples, {})
        labels = torch.stack([s.gt_sem_seg.data for s in samples]).float()  # (B, 1, H, W)
        ignore = self.seg_head.ignore_index
        ce = []
        for icm, feat in zip(self.det_icm, feats):
            logits = icm.seg_conv(feat)
            target = F.interpolate(labels, size=logits.shape[-2:], mode='nearest')
            target = target[:, 0].long()
            if bool((target != ignore).any()):
                ce.append(F.cross_entropy(logits, target, ignore_index=ignore))
            else:  # every cell ignored: no signal, but keep the graph (DDP, logging)
                ce.append(logits.sum() * 0.)
        losses['loss_aux_seg'] = self.aux_seg_loss_weight * torch.stack(ce).mean()
        return losses
