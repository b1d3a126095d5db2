"""Depth of a dense multi-task sample: mmseg's depth metrics plus the pixel-pooled RMSE."""
from typing import Dict, List, Optional, Sequence

import torch
from mmseg.evaluation import DepthMetric

from mmmtnas.registry import METRICS
from .dense_fields import get_pred_and_gt


@METRICS.register_module()
class DenseDepthMetric(DepthMetric):
    """mmseg's :class:`DepthMetric` for the task ``task`` of a dense multi-task sample.

    mmseg reads fixed fields (``pred_depth_map``/``gt_depth_map``) and averages each metric over
    images (its ``rmse`` is the mean of per-image RMSEs). The multi-task benchmarks
    (ASTMT/MTI-Net/BMTAS) pool the squared error over all valid pixels of the data set, so
    ``rmse_pixel`` is added. Ground truth <= ``min_depth_eval`` (0 = no measurement) is left out.

    Args:
        task (str): Task name; reads ``pred_<task>`` and ``gt_<task>``.
        depth_metrics (list[str], optional): Subset of mmseg's metrics. mmseg 1.2.2 checks this
            list with ``isinstance(x, [tuple, list])``, which raises, so it is checked here.
        prefix (str, optional): Metric key prefix. Defaults to ``task``.
        **kwargs: Passed to :class:`mmseg.evaluation.DepthMetric`.
    """

    def __init__(self,
                 task: str = 'depth',
                 depth_metrics: Optional[List[str]] = None,
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(depth_metrics=None, prefix=prefix or task, **kwargs)
        if depth_metrics is not None:
            unknown = set(depth_metrics) - set(self.METRICS)
            if unknown:
                raise KeyError(f'unknown depth metrics {sorted(unknown)}; '
                               f'expected a subset of {self.METRICS}')
            self.metrics = tuple(depth_metrics)
        self.task = task

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Keep each image's valid (gt, pred) depth pairs."""
        remapped = []
        for sample in data_samples:
            pred, gt = get_pred_and_gt(sample, self.task)
            remapped.append(dict(pred_depth_map=dict(data=pred.float()),
                                 gt_depth_map=dict(data=gt.float()),
                                 img_path=sample.get('img_path', '')))
        super().process(data_batch, remapped)

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """mmseg's per-image averages plus ``rmse_pixel`` over all valid pixels."""
        metrics = super().compute_metrics(results)
        sq = sum(float(torch.sum((p.double() - g.double())**2)) for g, p in results)
        n = sum(g.numel() for g, _ in results)
        if n == 0:
            raise ValueError(f'{self.task}: no valid ground-truth depth to evaluate')
        metrics['rmse_pixel'] = (sq / n)**0.5
        return metrics
