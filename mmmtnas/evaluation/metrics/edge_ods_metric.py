"""Edges: optimal-dataset-scale F-measure (BSDS protocol) via pyEdgeEval's pixel matcher."""
from typing import Dict, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import BaseMetric

from mmmtnas.registry import METRICS
from .dense_fields import get_pred_and_gt


@METRICS.register_module()
class EdgeODSMetric(BaseMetric):
    """ODS / OIS F-measure of edge probability maps with a matching tolerance.

    Uses the maintained ``pyEdgeEval`` package (the BSDS benchmark's ``correspondPixels``
    bipartite matcher compiled from its C++ source): for each image and threshold, the
    thresholded (and by default thinned) prediction is matched to the ground-truth edge pixels
    within ``max_dist`` x image diagonal. Counts are summed over the data set and the
    F-measure at the best single threshold is ODS (with BSDS's interpolation between
    thresholds); the mean of per-image best counts gives OIS.

    Args:
        task (str): Task name; reads ``pred_<task>`` (probabilities) and ``gt_<task>``
            (1 = edge; ``ignore_index`` pixels are neither edge nor scored).
        max_dist (float): Tolerance as a fraction of the image diagonal: 0.0075 for
            PASCAL-Context, 0.011 for NYUD-v2.
        thresholds (int | Sequence[float]): Number of evenly spaced thresholds in (0, 1), or the
            thresholds. Defaults to 99 (BSDS).
        apply_thinning (bool): Thin the thresholded prediction (BSDS). Defaults to True.
        apply_nms (bool): Run pyEdgeEval's fast NMS first. Defaults to False.
        ignore_index (int): Ignored ground-truth value. Defaults to 255.
        prefix (str, optional): Metric key prefix. Defaults to ``task``.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
    """

    def __init__(self,
                 task: str = 'edge',
                 max_dist: float = 0.0075,
                 thresholds: Union[int, Sequence[float]] = 99,
                 apply_thinning: bool = True,
                 apply_nms: bool = False,
                 ignore_index: int = 255,
                 prefix: Optional[str] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix or task)
        from pyEdgeEval.common.utils import check_thresholds
        self.task = task
        if not 0 < max_dist < 1:
            raise ValueError(f'max_dist is a fraction of the image diagonal, got {max_dist}')
        self.max_dist = float(max_dist)
        self.thresholds = check_thresholds(
            thresholds if isinstance(thresholds, int) else list(thresholds))
        self.apply_thinning = apply_thinning
        self.apply_nms = apply_nms
        self.ignore_index = ignore_index

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Per image: matched / total counts of predicted and true edge pixels per threshold."""
        from pyEdgeEval.common.binary_label import evaluate_boundaries_threshold
        for sample in data_samples:
            pred, gt = get_pred_and_gt(sample, self.task)
            prob = pred[0].double().numpy()
            gt = gt[0].numpy()
            prob = np.where(gt == self.ignore_index, 0.0, prob)
            counts = evaluate_boundaries_threshold(
                self.thresholds, prob, gt == 1, max_dist=self.max_dist,
                apply_thinning=self.apply_thinning, apply_nms=self.apply_nms)
            self.results.append(np.stack(counts))  # (4, K): count_r, sum_r, count_p, sum_p

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """ODS F, its precision/recall/threshold, and OIS F, in percent."""
        from pyEdgeEval.common.metrics import (compute_rec_prec_f1,
                                               interpolated_max_scores)
        counts = np.stack(results)  # (N, 4, K)
        count_r, sum_r, count_p, sum_p = counts.sum(0)
        rec, prec, _ = compute_rec_prec_f1(count_r, sum_r, count_p, sum_p)
        threshold, ods_rec, ods_prec, ods_f = interpolated_max_scores(
            self.thresholds, rec, prec)
        # OIS: every image at its own best threshold.
        _, _, f_img = compute_rec_prec_f1(*(counts[:, i] for i in range(4)))
        best = f_img.argmax(1)
        pick = counts[np.arange(len(counts)), :, best].sum(0)
        _, _, ois_f = compute_rec_prec_f1(*(float(v) for v in pick))
        return dict(odsF=float(ods_f * 100), odsP=float(ods_prec * 100),
                    odsR=float(ods_rec * 100), ods_threshold=float(threshold),
                    oisF=float(ois_f * 100))
