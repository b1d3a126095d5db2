"""Validation and test over one dataloader and one evaluator per task, reported as
``<task>/<metric>`` (``det/mAP``, ``seg/mIoU``)."""
from typing import Dict, List, Sequence, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.runner.amp import autocast
from mmengine.runner.loops import BaseLoop

from mmmtnas.registry import LOOPS
from .source_dataloaders import build_source_dataloaders, check_model_tasks


def task_metric_names(task: str, metrics: Dict[str, float]) -> Dict[str, float]:
    """Rename one evaluator's metrics ``'<metric prefix>/<name>'`` to ``'<task>/<name>'``.

    The metric's own prefix (``pascal_voc/``, ``coco/``) is dropped unless two metrics of the
    task would then collide, in which case it is kept: ``det/pascal_voc/mAP``.

    Args:
        task (str): Task name.
        metrics (dict[str, float]): What ``Evaluator.evaluate`` returned.

    Returns:
        dict[str, float]: Renamed metrics.
    """
    short = [name.rsplit('/', 1)[-1] for name in metrics]
    renamed = {}
    for (name, value), s in zip(metrics.items(), short):
        renamed[f'{task}/{s}' if short.count(s) == 1 else f'{task}/{name}'] = value
    return renamed


class _MultiTaskEvalLoop(BaseLoop):
    """Run every task's dataloader through the model and its own evaluator.

    Each task's evaluator gets its OWN dataset's ``dataset_meta`` (class names): MMEngine gives
    one ``dataset_meta`` to all metrics of one evaluator, so the tasks cannot share one.
    """

    stage = 'val'

    def __init__(self,
                 runner,
                 dataloader: Dict[str, Union[dict, object, None]],
                 evaluator: Dict[str, Union[Evaluator, dict, List[dict], None]],
                 fp16: bool = False) -> None:
        self._runner = runner
        what = f'{self.stage}_dataloader'
        self.dataloader = build_source_dataloaders(runner, dataloader, what)
        check_model_tasks(runner.model, self.dataloader, what)
        if not isinstance(evaluator, dict) or 'type' in evaluator or 'metrics' in evaluator:
            raise TypeError(f'{self.stage}_evaluator must be a dict keyed by task, e.g. '
                            f'dict(det=..., seg=...), got {evaluator!r:.80}')
        missing = [t for t in self.dataloader if evaluator.get(t) is None]
        if missing:
            raise ValueError(f'{self.stage}_evaluator has no metric for task(s) {missing} that '
                             f'{what} has (evaluator tasks: {list(evaluator)})')
        unknown = sorted(t for t in evaluator if evaluator[t] is not None
                         and t not in self.dataloader)
        if unknown:
            raise ValueError(f'{self.stage}_evaluator has task(s) {unknown} without a '
                             f'dataloader in {what} ({list(self.dataloader)})')
        self.evaluator: Dict[str, Evaluator] = {}
        for task in self.dataloader:
            task_evaluator = evaluator[task]
            if not isinstance(task_evaluator, Evaluator):
                task_evaluator = runner.build_evaluator(task_evaluator)
            task_evaluator.dataset_meta = getattr(self.dataloader[task].dataset, 'metainfo',
                                                  None)
            self.evaluator[task] = task_evaluator
        self.fp16 = fp16

    def run(self) -> dict:
        """Evaluate every task.

        Returns:
            dict[str, float]: ``<task>/<metric>`` for every task.
        """
        self.runner.call_hook(f'before_{self.stage}')
        self.runner.call_hook(f'before_{self.stage}_epoch')
        self.runner.model.eval()
        metrics = dict()
        idx = 0  # runs over all tasks, so that hooks see one progress count out of len(loader)
        for task, loader in self.dataloader.items():
            for data_batch in loader:
                self.run_iter(idx, data_batch, task)
                idx += 1
            task_metrics = self.evaluator[task].evaluate(len(loader.dataset))
            metrics.update(task_metric_names(task, task_metrics))
        self.runner.call_hook(f'after_{self.stage}_epoch', metrics=metrics)
        self.runner.call_hook(f'after_{self.stage}')
        return metrics

    @torch.no_grad()
    def run_iter(self, idx: int, data_batch: Sequence[dict], task: str) -> None:
        """Predict one batch of ``task`` and feed it to that task's evaluator."""
        self.runner.call_hook(
            f'before_{self.stage}_iter', batch_idx=idx, data_batch=data_batch)
        with autocast(enabled=self.fp16):
            step = getattr(self.runner.model, f'{self.stage}_step')
            outputs = step(data_batch)
        self.evaluator[task].process(data_samples=outputs, data_batch=data_batch)
        self.runner.call_hook(
            f'after_{self.stage}_iter', batch_idx=idx, data_batch=data_batch, outputs=outputs)


@LOOPS.register_module()
class MultiTaskValLoop(_MultiTaskEvalLoop):
    """Validation loop over ``val_dataloader=dict(task=...)`` and
    ``val_evaluator=dict(task=...)``; metrics are reported as ``<task>/<metric>``.

    Args:
        runner (Runner): The runner.
        dataloader (dict): Task -> dataloader cfg / DataLoader / None (left out).
        evaluator (dict): Task -> metric cfg, list of metric cfgs or Evaluator.
        fp16 (bool): Run under autocast. Defaults to False.
    """

    stage = 'val'


@LOOPS.register_module()
class MultiTaskTestLoop(_MultiTaskEvalLoop):
    """Test loop over ``test_dataloader=dict(task=...)`` and ``test_evaluator=dict(task=...)``;
    same arguments as :class:`MultiTaskValLoop`."""

    stage = 'test'
