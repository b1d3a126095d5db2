"""One data preprocessor for batches of detection samples or of segmentation samples."""
from typing import Optional, Sequence

import torch.nn.functional as F
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmengine.model import BaseDataPreprocessor
from mmengine.structures import PixelData
from mmseg.models.data_preprocessor import SegDataPreProcessor
from mmseg.structures import SegDataSample

from mmmtnas.registry import MODELS


@MODELS.register_module()
class DetSegDataPreprocessor(BaseDataPreprocessor):
    """Normalise and pad a batch with MMDetection's or MMSegmentation's own preprocessor.

    A batch of :class:`SegDataSample` (``gt_sem_seg.data``) goes through
    ``mmseg.SegDataPreProcessor``; any other batch (``DetDataSample``: ``gt_instances``, and a
    seg map, if any, under ``gt_sem_seg.sem_seg``) through ``mmdet.DetDataPreprocessor``; in
    training the seg maps of the samples that have one are padded to the batch shape. Both get
    the same mean, std, colour order and padding so that the shared backbone sees one input
    distribution.

    Args:
        mean (Sequence[float], optional): Per-channel mean. Defaults to None.
        std (Sequence[float], optional): Per-channel std. Defaults to None.
        bgr_to_rgb (bool): Convert BGR inputs to RGB. Defaults to False.
        pad_size_divisor (int): Pad images (train and test) to a multiple of this. Defaults to
            1: a batch of equal-size images keeps its size (the MTNAS DARTS parts take odd
            feature maps, so 320x512 stays 320x512; a ResNet + FPN needs its deepest stride).
        pad_value (float): Image padding value. Defaults to 0.
        seg_pad_value (int): Seg map padding value (the seg head's ``ignore_index``).
            Defaults to 255.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 bgr_to_rgb: bool = False,
                 pad_size_divisor: int = 1,
                 pad_value: float = 0,
                 seg_pad_value: int = 255) -> None:
        super().__init__()
        self.det = DetDataPreprocessor(
            mean=mean,
            std=std,
            bgr_to_rgb=bgr_to_rgb,
            pad_size_divisor=pad_size_divisor,
            pad_value=pad_value,
            seg_pad_value=seg_pad_value)
        self.seg_pad_value = seg_pad_value
        self.seg = SegDataPreProcessor(
            mean=mean,
            std=std,
            bgr_to_rgb=bgr_to_rgb,
            size_divisor=pad_size_divisor,
            pad_val=pad_value,
            seg_pad_val=seg_pad_value,
            test_cfg=dict(size_divisor=pad_size_divisor))

    def forward(self, data: dict, training: bool = False) -> dict:
        """Dispatch the batch to the preprocessor of its sample type.

        Args:
            data (dict): ``inputs`` and ``data_samples`` from a dataloader.
            training (bool): Whether the batch is for training.

        Returns:
            dict: ``inputs`` (B, C, H, W) and ``data_samples``, as the upstream preprocessor
            returns them.
        """
        samples = data.get('data_samples') or []
        is_seg = [isinstance(s, SegDataSample) for s in samples]
        if any(is_seg) and not all(is_seg):
            raise ValueError('DetSegDataPreprocessor: a batch mixes SegDataSample with other '
                             'sample types; give each task its own dataloader')
        branch = self.seg if samples and all(is_seg) else self.det
        # nn.Module.to() moves the children's buffers but not their `_device` attribute, which
        # BaseDataPreprocessor.cast_data uses to move the batch.
        branch._device = self._device
        data = branch(data, training)
        if training and branch is self.det:
            self._pad_det_seg_maps(data['data_samples'])
        return data

    def _pad_det_seg_maps(self, samples) -> None:
        # mmdet's pad_seg decides from the first sample only; a batch may mix images with and
        # without a seg map, so pad each one that has it (bottom/right, like the image).
        for sample in samples:
            if 'gt_sem_seg' not in sample:
                continue
            seg = sample.gt_sem_seg.sem_seg
            pad_h, pad_w = sample.batch_input_shape
            seg = F.pad(seg, (0, max(pad_w - seg.shape[-1], 0), 0, max(pad_h - seg.shape[-2], 0)),
                        value=self.seg_pad_value)
            sample.gt_sem_seg = PixelData(sem_seg=seg)
