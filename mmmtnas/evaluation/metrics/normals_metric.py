"""Surface normals: angular error statistics over all valid pixels of a data set."""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from mmmtnas.registry import METRICS
from .dense_fields import get_pred_and_gt


@METRICS.register_module()
class NormalsMetric(BaseMetric):
    """Angular error between predicted and ground-truth normals, pooled over all pixels.

    Both vectors are normalised; pixels whose ground truth equals ``ignore_index`` in any
    channel, or is the zero vector, are left out. Reports ``mean``, ``median`` and ``rmse`` of
    the error in degrees and ``within_<a>`` = % of pixels with error below each angle ``a``.
    The median comes from a histogram with ``bin_deg`` wide bins (exact to ``bin_deg / 2``), so
    memory does not grow with the data set.

    Args:
        task (str): Task name; reads ``pred_<task>`` and ``gt_<task>`` (3 channels).
        angles (Sequence[float]): Angles for the ``within`` ratios. Defaults to
            (11.25, 22.5, 30).
        ignore_index (float): Invalid ground-truth value. Defaults to 255.
        bin_deg (float): Histogram bin width for the median, degrees. Defaults to 0.01.
        prefix (str, optional): Metric key prefix. Defaults to ``task``.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
    """

    def __init__(self,
                 task: str = 'normals',
                 angles: Sequence[float] = (11.25, 22.5, 30.0),
                 ignore_index: float = 255,
                 bin_deg: float = 0.01,
                 prefix: Optional[str] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix or task)
        self.task = task
        self.angles = tuple(float(a) for a in angles)
        self.ignore_index = ignore_index
        self.bin_deg = float(bin_deg)
        self.num_bins = int(np.ceil(180.0 / self.bin_deg))

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Per image: count, sum, sum of squares, histogram of the angular errors."""
        for sample in data_samples:
            pred, gt = get_pred_and_gt(sample, self.task)
            err = angular_error_deg(pred, gt, self.ignore_index)
            hist = torch.histc(err, bins=self.num_bins, min=0.0,
                               max=self.num_bins * self.bin_deg)
            self.results.append(dict(
                count=err.numel(), sum=float(err.double().sum()),
                sq_sum=float((err.double()**2).sum()),
                within=[int((err < a).sum()) for a in self.angles],
                hist=hist.double().numpy()))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Pooled statistics over every valid pixel of every image."""
        count = sum(r['count'] for r in results)
        if count == 0:
            raise ValueError(f'{self.task}: no valid ground-truth normals to evaluate')
        hist = np.sum([r['hist'] for r in results], axis=0)
        metrics = dict(
            mean=sum(r['sum'] for r in results) / count,
            median=_histogram_median(hist, self.bin_deg),
            rmse=float(np.sqrt(sum(r['sq_sum'] for r in results) / count)))
        for i, a in enumerate(self.angles):
            metrics[f'within_{a:g}'] = 100.0 * sum(r['within'][i] for r in results) / count
        return metrics


def angular_error_deg(pred: torch.Tensor, gt: torch.Tensor,
                      ignore_index: float = 255) -> torch.Tensor:
    """Angles (degrees) between ``(3, H, W)`` normal maps at valid ground-truth pixels.

    Returns:
        Tensor: 1-D float tensor, one angle per valid pixel.
    """
    if pred.shape[0] != 3 or gt.shape[0] != 3:
        raise ValueError(f'normals must have 3 channels, got {tuple(pred.shape)} and '
                         f'{tuple(gt.shape)}')
    pred = pred.double().flatten(1)
    gt = gt.double().flatten(1)
    valid = (gt != ignore_index).all(0) & (gt.norm(dim=0) > 0)
    p = torch.nn.functional.normalize(pred[:, valid], dim=0)
    g = torch.nn.functional.normalize(gt[:, valid], dim=0)
    cos = (p * g).sum(0).clamp(-1.0, 1.0)
    return torch.rad2deg(torch.arccos(cos)).float()


def _histogram_median(hist: np.ndarray, bin_deg: float) -> float:
    """Median of the binned angles: centre of the bin of the middle pixel (mean of two)."""
    cum = np.cumsum(hist)
    total = int(round(cum[-1]))

    def bin_of_rank(rank: float) -> int:  # first bin holding the rank-th smallest angle
        return int(np.searchsorted(cum, rank - 0.5))

    if total % 2:
        return (bin_of_rank((total + 1) / 2) + 0.5) * bin_deg
    lo, hi = bin_of_rank(total / 2), bin_of_rank(total / 2 + 1)
    return (lo + hi + 1) / 2.0 * bin_deg
