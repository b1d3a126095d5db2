"""mIoU of one dense labelling task (semantic segmentation, human parts) in a multi-task sample."""
from typing import Optional, Sequence

from mmseg.evaluation import IoUMetric

from mmmtnas.registry import METRICS
from .dense_fields import get_pred_and_gt


@METRICS.register_module()
class DenseIoUMetric(IoUMetric):
    """mmseg's :class:`IoUMetric` for the task ``task`` of a dense multi-task sample.

    Subclassed, not copied, for two reasons: mmseg reads the fixed fields
    ``pred_sem_seg``/``gt_sem_seg`` (we have one field per task), and it takes the class names
    from ``dataset_meta``, which MMEngine shares between all metrics of one evaluator (human parts
    has its own class set), so the classes are given here.

    Args:
        task (str): Task name; reads ``pred_<task>`` and ``gt_<task>``.
        classes (Sequence[str]): Class names of this task (their number sets the confusion size).
        prefix (str, optional): Metric key prefix. Defaults to ``task``.
        **kwargs: Passed to :class:`mmseg.evaluation.IoUMetric` (``ignore_index``, ...).
    """

    def __init__(self,
                 task: str,
                 classes: Sequence[str],
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(prefix=prefix or task, **kwargs)
        if len(classes) < 2:
            raise ValueError(f'{task}: expected at least 2 classes, got {list(classes)}')
        self.task = task
        self.classes = tuple(classes)

    @property
    def dataset_meta(self) -> dict:
        """This task's classes, whatever the evaluator was given."""
        return dict(classes=self.classes)

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: Optional[dict]) -> None:
        # The evaluator assigns the dataset's meta to every metric; ours is per task.
        pass

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Accumulate intersections and unions of this task's label maps."""
        remapped = []
        for sample in data_samples:
            pred, gt = get_pred_and_gt(sample, self.task)
            remapped.append(
                dict(pred_sem_seg=dict(data=pred), gt_sem_seg=dict(data=gt),
                     img_path=sample.get('img_path', '')))
        super().process(data_batch, remapped)
