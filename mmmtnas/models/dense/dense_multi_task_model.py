"""A dense multi-task model: one encoder (shared or branched), one decoder head per task."""
from typing import Dict, List, Optional, Sequence, Union

import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class DenseMultiTaskModel(BaseModel):
    """Run any subset of dense tasks on one encoder.

    The encoder follows the dense encoder contract (``forward(x) -> {task: (low, high)}`` and
    ``tasks``): the BMTAS supernet or a branched network (the Shared and Single baselines are
    branched networks too). Each head (e.g. :class:`DeepLabV3PlusDecoderHead`) owns its task's
    loss and post-processing; this class only wires them, weights each task's losses and
    prefixes them ``<task>.``.

    Args:
        encoder (dict): Encoder config; its ``tasks`` default to the model's.
        heads (dict[str, dict]): Head config per task; ``task`` is filled in from the key.
        head_defaults (dict, optional): Settings common to all heads (e.g. ``in_channels`` of the
            encoder, ``norm_cfg``), overridden by a head's own.
        task_weights (dict[str, float], optional): Loss weight per task (BMTAS: semseg 1,
            human_parts 2, sal 5, normals 10, edge 50). Missing tasks weigh 1.
        tasks (Sequence[str], optional): Subset of ``heads`` to run. Defaults to all heads.
        data_preprocessor (dict, optional): E.g. ``ImgDataPreprocessor`` with mean = std = 127.5
            (intensities to [-1, 1]).
        init_cfg (dict, optional): Initialisation.
    """

    def __init__(self,
                 encoder: ConfigType,
                 heads: Dict[str, ConfigType],
                 head_defaults: OptConfigType = None,
                 task_weights: Optional[Dict[str, float]] = None,
                 tasks: Optional[Sequence[str]] = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.tasks: List[str] = list(tasks) if tasks is not None else list(heads)
        missing = [t for t in self.tasks if t not in heads]
        if missing:
            raise KeyError(f'no head for tasks {missing}; heads are {sorted(heads)}')
        self.task_weights = {t: float((task_weights or {}).get(t, 1.0)) for t in self.tasks}
        unknown = set(task_weights or {}) - set(heads)
        if unknown:
            raise KeyError(f'task_weights name unknown tasks {sorted(unknown)}')
        encoder = dict(encoder)
        encoder.setdefault('tasks', list(self.tasks))
        self.encoder = MODELS.build(encoder)
        enc_tasks = getattr(self.encoder, 'tasks', None)
        if enc_tasks is None or not set(self.tasks) <= set(enc_tasks):
            raise ValueError(f'encoder serves tasks {enc_tasks}, the model needs {self.tasks}')
        self.heads = nn.ModuleDict()
        for task in self.tasks:
            cfg = dict(head_defaults or {})
            cfg.update(heads[task])
            cfg.setdefault('task', task)
            if cfg['task'] != task:
                raise ValueError(f"head '{task}' is configured for task '{cfg['task']}'")
            self.heads[task] = MODELS.build(cfg)

    def extract_feat(self, inputs: Tensor) -> dict:
        """Encoder features per task: ``{task: (low_level, high_level)}``."""
        return self.encoder(inputs)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], SampleList]:
        """``loss`` -> weighted losses, ``predict`` -> samples, ``tensor`` -> logits per task."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs)
        raise RuntimeError(f"Invalid mode '{mode}': expected 'loss', 'predict' or 'tensor'")

    def loss(self, inputs: Tensor, data_samples: SampleList,
             tasks: Optional[Sequence[str]] = None) -> Dict[str, Tensor]:
        """Sum of per-task losses, each task's ``loss_*`` multiplied by its weight.

        Args:
            tasks (Sequence[str], optional): Only these tasks (the encoder then gets
                ``tasks=``, as the BMTAS supernet takes it). Defaults to all.

        Returns:
            dict[str, Tensor]: ``<task>.loss_*`` (weighted) and ``<task>.acc_seg``.
        """
        if tasks is None:
            tasks, feats = self.tasks, self.extract_feat(inputs)
        else:
            feats = self.encoder(inputs, tasks=tasks)
        losses = {}
        for task in tasks:
            task_losses = self.heads[task].loss(feats[task], data_samples, None)
            for name, value in task_losses.items():
                if name.startswith('loss'):
                    value = value * self.task_weights[task]
                losses[f'{task}.{name}'] = value
        return losses

    def predict(self, inputs: Tensor, data_samples: Optional[SampleList] = None) -> SampleList:
        """Write each task's post-processed map to ``pred_<task>`` of the samples."""
        if data_samples is None:
            from mmseg.structures import SegDataSample
            data_samples = [SegDataSample(metainfo=dict(img_shape=inputs.shape[2:]))
                            for _ in range(inputs.shape[0])]
        return self.predict_by_feat(self._forward(inputs), data_samples,
                                    batch_input_shape=tuple(inputs.shape[2:]))

    def predict_by_feat(self, logits: Dict[str, Tensor], data_samples: SampleList,
                        batch_input_shape: Sequence[int]) -> SampleList:
        """Decode raw logits (those of :meth:`_forward`) into each task's map.

        The one decoding step of the model: :meth:`predict` and an exported graph's outputs
        (``mmmtnas.deployment``) both end here. Each head post-processes its own task
        (upsampling, then argmax, sigmoid or normalisation).

        Args:
            logits (dict[str, Tensor]): Logits per task, (N, C, h, w).
            data_samples (list): The images' data samples.
            batch_input_shape (Sequence[int]): (H, W) of the batch the logits come from.

        Returns:
            list: The samples with ``pred_<task>`` (``PixelData``) set.
        """
        missing = [t for t in self.tasks if t not in logits]
        if missing:
            raise KeyError(f'predict_by_feat: no logits for tasks {missing}')
        metas = []
        for sample in data_samples:
            meta = dict(sample.metainfo)
            meta.setdefault('img_shape', tuple(batch_input_shape))
            meta['batch_input_shape'] = tuple(batch_input_shape)
            metas.append(meta)
        for task in self.tasks:
            preds = self.heads[task].predict_by_feat(logits[task], metas)
            for sample, pred in zip(data_samples, preds):
                sample.set_field(PixelData(data=pred), f'pred_{task}')
        return data_samples

    def _forward(self, inputs: Tensor, data_samples: OptConfigType = None) -> Dict[str, Tensor]:
        """Raw logits per task (stride 4)."""
        feats = self.extract_feat(inputs)
        return {task: self.heads[task].forward(feats[task]) for task in self.tasks}
