"""The hand-crafted detection + segmentation multi-task network of MTNAS (paper §3.1)."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmdet.structures import DetDataSample
from mmdet.utils import ConfigType, OptConfigType, OptMultiConfig
from mmengine.config import ConfigDict
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample
from mmseg.utils import add_prefix
from torch import Tensor

from mmmtnas.registry import MODELS

SampleList = List[Union[DetDataSample, SegDataSample]]

#: The tasks this model knows, in the order their outputs are returned.
TASKS = ('det', 'seg')


@MODELS.register_module()
class DetSegMultiTaskModel(BaseModel):
    """A shared backbone (and neck) with an MMDetection detection head and an MMSegmentation
    decode head.

    The model only wires parts; each head owns its maths (losses, post-processing). A training
    batch back-propagates only the tasks its samples are labelled for: detection for samples
    with ``gt_instances`` (``DetDataSample``), segmentation for samples with ``gt_sem_seg``
    (``SegDataSample.gt_sem_seg.data``, or MMDetection's ``DetDataSample.gt_sem_seg.sem_seg``).
    Loss keys are prefixed ``det.`` / ``seg.`` and weighted by ``task_weights``.

    Args:
        backbone (dict): Any registered backbone, e.g. ``mmdet.ResNet`` (no classifier).
        neck (dict, optional): Shared neck, e.g. ``mmdet.FPN``. Defaults to None.
        det_neck (dict, optional): Detection-only layers between the shared features and
            ``det_head``. Defaults to None.
        det_head (dict, optional): Detection head with the MMDetection dense-head interface
            (``loss``, ``predict``), e.g. ``mmmtnas.SSDHead``. Defaults to None.
        seg_head (dict, optional): MMSegmentation decode head (``BaseDecodeHead`` interface),
            fed with the shared features. Defaults to None.
        task_weights (dict, optional): Loss weight per task; missing tasks weigh 1 (paper:
            det:seg = 1:1). Defaults to None.
        data_preprocessor (dict, optional): Defaults to ``mmmtnas.DetSegDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 backbone: ConfigType,
                 neck: OptConfigType = None,
                 det_neck: OptConfigType = None,
                 det_head: OptConfigType = None,
                 seg_head: OptConfigType = None,
                 task_weights: Optional[Dict[str, float]] = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='mmmtnas.DetSegDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if det_head is None and seg_head is None:
            raise ValueError('DetSegMultiTaskModel needs det_head, seg_head or both')
        if det_neck is not None and det_head is None:
            raise ValueError('DetSegMultiTaskModel: det_neck is given but det_head is not')
        # ConfigDict: mmdet heads read their train/test cfg by attribute, which a plain dict
        # (a model built from Python rather than from a config file) does not allow.
        build = lambda cfg: MODELS.build(ConfigDict(cfg)) if cfg is not None else None  # noqa
        self.backbone = build(backbone)
        self.neck = build(neck)
        self.det_neck = build(det_neck)
        self.det_head = build(det_head)
        self.seg_head = build(seg_head)
        self.tasks: Tuple[str, ...] = tuple(t for t in TASKS if self.task_head(t) is not None)

        task_weights = dict(task_weights or {})
        unknown = sorted(set(task_weights) - set(self.tasks))
        if unknown:
            raise ValueError(f'DetSegMultiTaskModel: task_weights has unknown task(s) {unknown}; '
                             f'this model has heads for {list(self.tasks)}')
        self.task_weights = {t: float(task_weights.get(t, 1.)) for t in self.tasks}

    # ------------------------------------------------------------------ wiring
    def task_head(self, task: str) -> Optional[torch.nn.Module]:
        """Return the head of ``task`` ('det' or 'seg'), or None if the model has none."""
        if task not in TASKS:
            raise KeyError(f'unknown task {task!r}; DetSegMultiTaskModel knows {list(TASKS)}')
        return getattr(self, f'{task}_head')

    def extract_feat(self, inputs: Tensor) -> Tuple[Tensor, ...]:
        """Shared features: backbone, then the shared neck if any."""
        x = self.backbone(inputs)
        if self.neck is not None:
            x = self.neck(x)
        return tuple(x)

    def _det_feat(self, feats: Tuple[Tensor, ...]) -> Tuple[Tensor, ...]:
        return tuple(self.det_neck(feats)) if self.det_neck is not None else feats

    # ------------------------------------------------------------------ training
    def unused_in_some_steps(self) -> List[str]:
        """Parameters a training step may leave without a gradient when the model has two
        tasks: a batch labelled for one task (alternating-task training, MTNAS S2b) never
        reaches the other task's parts (``det_neck``, ``det_head``, ``seg_head``: weights and,
        in a supernet, architecture parameters ``arch_params.<part>__*``), nor the levels of
        the shared ``neck`` that only the other head reads (the seg head reads one FPN level).
        The backbone is always reached. Read by
        :class:`~mmmtnas.models.wrappers.DeviceAgnosticDDP`.

        Returns:
            list[str]: Names as in :meth:`named_parameters`.
        """
        if len(self.tasks) < 2:
            return []
        parts = ('neck', 'det_neck', 'det_head', 'seg_head')
        names = []
        for name, _ in self.named_parameters():
            owner, _, rest = name.partition('.')
            if owner in parts or (owner == 'arch_params' and rest.split('__')[0] in parts):
                names.append(name)
        return names

    @staticmethod
    def labelled_tasks(data_samples: SampleList) -> Dict[str, List[int]]:
        """Indices of the samples labelled for each task.

        Args:
            data_samples (list): Det or seg data samples.

        Returns:
            dict[str, list[int]]: Task name -> indices of its labelled samples (tasks with no
            labelled sample are left out).
        """
        found = {
            'det': [i for i, s in enumerate(data_samples) if 'gt_instances' in s],
            'seg': [i for i, s in enumerate(data_samples) if 'gt_sem_seg' in s],
        }
        return {task: idx for task, idx in found.items() if idx}

    @staticmethod
    def _as_seg_samples(data_samples: SampleList) -> List[SegDataSample]:
        # mmdet stores a seg map under gt_sem_seg.sem_seg, mmseg's decode heads read
        # gt_sem_seg.data (SPEC §5): give the head an mmseg view of mmdet samples.
        seg_samples = []
        for sample in data_samples:
            if isinstance(sample, SegDataSample):
                seg_samples.append(sample)
            else:
                seg_map = sample.gt_sem_seg.sem_seg.long()
                seg_samples.append(
                    SegDataSample(metainfo=sample.metainfo, gt_sem_seg=PixelData(data=seg_map)))
        return seg_samples

    @staticmethod
    def _weighted(losses: dict, weight: float) -> dict:
        if weight == 1.:
            return losses
        out = dict()
        for name, value in losses.items():
            if 'loss' not in name:  # accuracies and the like are logged, not weighted
                out[name] = value
            elif isinstance(value, (list, tuple)):
                out[name] = [v * weight for v in value]
            else:
                out[name] = value * weight
        return out

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of the tasks the batch is labelled for, prefixed ``det.`` / ``seg.``.

        Args:
            inputs (Tensor): Images (B, C, H, W).
            data_samples (list): Their det and/or seg data samples.

        Returns:
            dict[str, Tensor]: Weighted, prefixed losses of the labelled tasks only.
        """
        feats = self.extract_feat(inputs)
        labelled = {t: idx for t, idx in self.labelled_tasks(data_samples).items()
                    if t in self.tasks}
        if not labelled:
            raise ValueError('DetSegMultiTaskModel.loss: no sample of the batch is labelled for '
                             f'a task this model has a head for ({list(self.tasks)})')
        losses = dict()
        for task, idx in labelled.items():
            if len(idx) == len(data_samples):
                task_feats = feats
            else:  # a mixed batch: the task sees only its own labelled images
                index = torch.as_tensor(idx, device=inputs.device)
                task_feats = tuple(f.index_select(0, index) for f in feats)
            samples = [data_samples[i] for i in idx]
            if task == 'det':
                task_losses = self.det_head.loss(self._det_feat(task_feats), samples)
            else:
                task_losses = self.seg_head.loss(task_feats, self._as_seg_samples(samples), {})
            losses.update(add_prefix(self._weighted(task_losses, self.task_weights[task]), task))
        return losses

    # ------------------------------------------------------------------ inference
    def predict(self, inputs: Tensor, data_samples: SampleList, rescale: bool = True) -> SampleList:
        """Predict every task the model has, for every image.

        Args:
            inputs (Tensor): Images (B, C, H, W).
            data_samples (list): Their data samples (metainfo: ``img_shape``, ``ori_shape``,
                ``scale_factor`` ...).
            rescale (bool): Return boxes and masks in original image coordinates.
                Defaults to True.

        Returns:
            list: The same samples with ``pred_instances`` (bboxes, scores, labels) and
            ``pred_sem_seg`` (``PixelData``, (1, H, W) class indices) set.
        """
        return self.predict_by_feat(self._forward(inputs), data_samples, rescale=rescale,
                                    batch_input_shape=tuple(inputs.shape[-2:]))

    def predict_by_feat(self,
                        outs: tuple,
                        data_samples: SampleList,
                        rescale: bool = True,
                        batch_input_shape: Optional[Tuple[int, int]] = None) -> SampleList:
        """Decode raw head outputs (those of :meth:`_forward`) into predictions.

        The one decoding step of the model: :meth:`predict` and an exported graph's outputs
        (``mmmtnas.deployment``) both end here, so the two agree by construction. Each head
        decodes its own output (anchors and NMS in the det head's ``predict_by_feat``).

        Args:
            outs (tuple): ``(cls_scores, bbox_preds)`` of the det head and/or the seg logits,
                in :attr:`tasks` order.
            data_samples (list): The images' data samples (metainfo: ``img_shape``,
                ``ori_shape``, ``scale_factor`` ...).
            rescale (bool): Return boxes and masks in original image coordinates.
                Defaults to True.
            batch_input_shape (tuple[int, int], optional): (H, W) of the batch the outputs
                come from. Defaults to the samples' ``batch_input_shape``.

        Returns:
            list: The same samples with ``pred_instances`` (bboxes, scores, labels) and
            ``pred_sem_seg`` (``PixelData``, (1, H, W) class indices) set.
        """
        if len(outs) != len(self.tasks):
            raise ValueError(f'predict_by_feat: {len(outs)} outputs for the tasks '
                             f'{list(self.tasks)}')
        by_task = dict(zip(self.tasks, outs))
        if 'det' in by_task:
            cls_scores, bbox_preds = by_task['det']
            results = self.det_head.predict_by_feat(
                cls_scores, bbox_preds, batch_img_metas=[s.metainfo for s in data_samples],
                rescale=rescale)
            for sample, result in zip(data_samples, results):
                sample.pred_instances = result
        if 'seg' in by_task:
            if batch_input_shape is None:
                batch_input_shape = data_samples[0].metainfo['batch_input_shape']
            # The preprocessors pad every image at its bottom/right to the batch shape; resize
            # the logits to that shape, then crop each image out of it.
            metas = [dict(s.metainfo, pad_shape=tuple(batch_input_shape)) for s in data_samples]
            seg_logits = self.seg_head.predict_by_feat(by_task['seg'], metas)
            for sample, logits in zip(data_samples, seg_logits):
                sample.pred_sem_seg = PixelData(data=self._seg_postprocess(logits, sample, rescale))
        return data_samples

    def _seg_postprocess(self, logits: Tensor, sample, rescale: bool) -> Tensor:
        meta = sample.metainfo
        if 'img_shape' in meta:
            h, w = meta['img_shape'][:2]
            logits = logits[:, :h, :w]
        if meta.get('flip', False):
            dims = (2, ) if meta.get('flip_direction') == 'vertical' else (1, )
            logits = logits.flip(dims=dims)
        if rescale and 'ori_shape' in meta and tuple(logits.shape[-2:]) != tuple(
                meta['ori_shape'][:2]):
            logits = F.interpolate(
                logits[None],
                size=tuple(meta['ori_shape'][:2]),
                mode='bilinear',
                align_corners=self.seg_head.align_corners)[0]
        if logits.shape[0] > 1:
            return logits.argmax(dim=0, keepdim=True)
        return (logits.sigmoid() > self.seg_head.threshold).long()

    def _forward(self, inputs: Tensor, data_samples: Optional[SampleList] = None) -> tuple:
        """Raw head outputs, one entry per task in :attr:`tasks` order.

        Returns:
            tuple: ``(cls_scores, bbox_preds)`` of the det head and/or the seg logits.
        """
        feats = self.extract_feat(inputs)
        outs = []
        if self.det_head is not None:
            outs.append(self.det_head.forward(self._det_feat(feats)))
        if self.seg_head is not None:
            outs.append(self.seg_head.forward(feats))
        return tuple(outs)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor') -> Union[dict, SampleList, tuple]:
        """Dispatch to :meth:`loss`, :meth:`predict` or :meth:`_forward` (``mode`` =
        'loss', 'predict' or 'tensor')."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise ValueError(f'Invalid mode "{mode}"; expected "loss", "predict" or "tensor"')

    # ------------------------------------------------------------------ checks
    def check_dataset_meta(self, task: str, metainfo: Optional[dict],
                           dataset_name: str = '') -> None:
        """Check that the head of ``task`` predicts as many classes as its dataset has.

        Args:
            task (str): 'det' or 'seg'.
            metainfo (dict, optional): The task dataset's ``metainfo`` (``classes``).
            dataset_name (str): Name used in the message. Defaults to ''.

        Raises:
            ValueError: The model has no head for ``task``, or its ``num_classes`` differs from
                the number of dataset classes.
        """
        head = self.task_head(task) if task in TASKS else None
        if head is None:
            raise ValueError(f'{dataset_name or task} dataloader is given for task {task!r} but '
                           f'the model has heads only for {list(self.tasks)}')
        classes = (metainfo or {}).get('classes')
        if classes is None:
            return
        if head.num_classes != len(classes):
            raise ValueError(
                f'{task}_head.num_classes={head.num_classes} disagrees with the {task} dataset '
                f'{dataset_name} which has {len(classes)} classes {tuple(classes)}')
