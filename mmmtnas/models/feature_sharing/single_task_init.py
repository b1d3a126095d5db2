"""A dense multi-task model whose task columns start from trained single-task networks."""
import os.path as osp
from typing import Dict, Optional, Union

import torch
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

from mmmtnas.models.dense import DenseMultiTaskModel
from mmmtnas.registry import MODELS
from .columns import single_task_state

SINGLE_HINT = ('train the Single baseline first (e.g. configs/bmtas/mnv2_pascal_mt_single.py) '
               'or set model.single_task_checkpoints to the trained single-task checkpoints')


@MODELS.register_module()
class ColumnMultiTaskModel(DenseMultiTaskModel):
    """:class:`DenseMultiTaskModel` over a task-column encoder (Cross-Stitch, NDDR-CNN) that
    starts, as in the BMTAS paper, from trained single-task networks.

    After the usual initialisation (ImageNet in every column, fusion units at their initial
    mix), each task's column and head are loaded from its single-task checkpoint, mapped by
    :func:`~mmmtnas.models.feature_sharing.columns.single_task_state`: the checkpoint of a
    ``DenseMultiTaskModel`` with a ``BranchedNetwork`` encoder trained for that task alone, or
    the 'Single' baseline's (``structure='all_separate'``), which holds every task's network.
    Resuming or testing loads the run's own checkpoint instead (MMEngine skips
    ``init_weights`` then).

    Args:
        single_task_checkpoints (str | dict[str, str], optional): One checkpoint holding every
            task (the Single baseline's), or one per task. None: start from ImageNet.
        **kwargs: See :class:`DenseMultiTaskModel`.
    """

    def __init__(self,
                 *args,
                 single_task_checkpoints: Optional[Union[str, Dict[str, str]]] = None,
                 **kwargs) -> None:
        # checked before the (large) networks are built
        tasks = kwargs.get('tasks') or list(kwargs.get('heads') or (args[1] if len(args) > 1
                                                                      else {}))
        if isinstance(single_task_checkpoints, dict):
            missing = [t for t in tasks if t not in single_task_checkpoints]
            if missing:
                raise KeyError(f'single_task_checkpoints has no checkpoint for tasks {missing} '
                               f'(it names {sorted(single_task_checkpoints)})')
        elif single_task_checkpoints is not None and not isinstance(single_task_checkpoints,
                                                                     str):
            raise TypeError('single_task_checkpoints must be a path, a dict task -> path or '
                            f'None, got {type(single_task_checkpoints).__name__}')
        super().__init__(*args, **kwargs)
        self.single_task_checkpoints = single_task_checkpoints

    def checkpoint_of(self, task: str) -> str:
        """The single-task checkpoint of a task."""
        ckpts = self.single_task_checkpoints
        return ckpts[task] if isinstance(ckpts, dict) else ckpts

    def init_weights(self) -> None:
        super().init_weights()
        if self.single_task_checkpoints is not None:
            self.load_single_task_checkpoints()

    def load_single_task_checkpoints(self) -> None:
        """Load every task's column and head from its single-task checkpoint.

        Raises:
            FileNotFoundError: A checkpoint file does not exist.
            KeyError: A checkpoint lacks some of a column's or head's weights.
        """
        own = self.state_dict()
        cache: Dict[str, dict] = {}
        loaded = {}
        for task in self.tasks:
            path = self.checkpoint_of(task)
            if '://' not in path and not osp.isfile(path):
                raise FileNotFoundError(
                    f"single_task_checkpoints: the checkpoint of task '{task}', {path!r}, does "
                    f'not exist; {SINGLE_HINT}')
            if path not in cache:
                ckpt = CheckpointLoader.load_checkpoint(path, map_location='cpu')
                cache[path] = ckpt.get('state_dict', ckpt)
            mapped = single_task_state(cache[path], task)
            wanted = [k for k in own
                      if k.startswith((f'encoder.columns.{task}.', f'heads.{task}.'))]
            missing = [k for k in wanted if k not in mapped]
            if missing:
                raise KeyError(f"single_task_checkpoints: {path!r} has no weights for "
                               f"{len(missing)} of task '{task}''s {len(wanted)} column and "
                               f'head tensors, e.g. {missing[:3]}; is it a single-task '
                               'checkpoint of this encoder and head?')
            bad = [k for k in wanted if mapped[k].shape != own[k].shape]
            if bad:
                raise ValueError(f'single_task_checkpoints: {path!r}: shapes differ for {bad[:3]}'
                                 f' (checkpoint {[tuple(mapped[k].shape) for k in bad[:3]]}, '
                                 f'model {[tuple(own[k].shape) for k in bad[:3]]})')
            loaded.update({k: mapped[k] for k in wanted})
        with torch.no_grad():
            self.load_state_dict(loaded, strict=False)
        print_log(f'{type(self).__name__}: {len(loaded)} tensors of {len(self.tasks)} task '
                  'columns and heads loaded from single-task checkpoints', logger='current')
