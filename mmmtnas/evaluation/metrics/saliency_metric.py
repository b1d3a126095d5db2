"""Saliency: max-over-thresholds mean IoU and maxF (the ASTMT / BMTAS protocol)."""
from typing import Dict, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric

from mmmtnas.registry import METRICS
from .dense_fields import get_pred_and_gt


@METRICS.register_module()
class SaliencyMetric(BaseMetric):
    """Max-over-thresholds IoU and F-measure of a saliency probability map.

    For every image and every threshold ``t`` the prediction ``p > t`` is compared with the
    binary ground truth (pixels equal to ``ignore_index`` are left out): Jaccard index (1 when
    both are empty), precision and recall. Jaccard, precision and recall are averaged over the
    images per threshold; ``maxIoU`` is the best mean Jaccard, ``maxF`` the best
    ``2PR / (P + R)`` of the mean precision and recall.

    Args:
        task (str): Task name; reads ``pred_<task>`` (probabilities in [0, 1]) and ``gt_<task>``.
        thresholds (Sequence[float]): Thresholds. Defaults to 15 values in [0.2, 0.9] as in
            ASTMT/MTI-Net.
        ignore_index (int): Ground-truth value left out. Defaults to 255.
        prefix (str, optional): Metric key prefix. Defaults to ``task``.
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
    """

    def __init__(self,
                 task: str = 'sal',
                 thresholds: Sequence[float] = tuple(np.linspace(0.2, 0.9, 15)),
                 ignore_index: int = 255,
                 prefix: Optional[str] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix or task)
        self.task = task
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        if self.thresholds.ndim != 1 or len(self.thresholds) == 0:
            raise ValueError(f'thresholds must be a non-empty 1-D sequence, got {thresholds}')
        self.ignore_index = ignore_index

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Per image: Jaccard, precision and recall at every threshold."""
        for sample in data_samples:
            pred, gt = get_pred_and_gt(sample, self.task)
            pred = pred[0].float().numpy()
            gt = gt[0].numpy()
            valid = gt != self.ignore_index
            gt_pos = (gt > 0.5) & valid
            self.results.append(per_image_scores(pred, gt_pos, valid, self.thresholds))

    def compute_metrics(self, results: list) -> Dict[str, float]:
        """Mean over images per threshold, best threshold, in percent."""
        jac, prec, rec = (np.stack(r) for r in zip(*results))
        m_jac, m_prec, m_rec = jac.mean(0), prec.mean(0), rec.mean(0)
        f = 2 * m_prec * m_rec / (m_prec + m_rec + 1e-12)
        best = int(np.argmax(m_jac))
        return dict(
            maxIoU=float(m_jac.max() * 100),
            maxF=float(f.max() * 100),
            best_threshold=float(self.thresholds[best]))


def per_image_scores(prob: np.ndarray, gt_pos: np.ndarray, valid: np.ndarray,
                     thresholds: np.ndarray):
    """Jaccard, precision and recall of ``prob > t`` against ``gt_pos`` for every ``t``.

    Args:
        prob (np.ndarray): ``(H, W)`` predicted probabilities.
        gt_pos (np.ndarray): ``(H, W)`` bool, salient pixels.
        valid (np.ndarray): ``(H, W)`` bool, pixels that count.
        thresholds (np.ndarray): ``(K,)`` thresholds.

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: Jaccard, precision, recall, each ``(K,)``.
    """
    pred_pos = (prob[None] > thresholds[:, None, None]) & valid[None]
    gt = gt_pos[None]
    tp = (pred_pos & gt).sum((1, 2)).astype(np.float64)
    fp = (pred_pos & ~gt).sum((1, 2)).astype(np.float64)
    fn = (~pred_pos & gt & valid[None]).sum((1, 2)).astype(np.float64)
    union = tp + fp + fn
    # Both empty counts as a perfect match (as in ASTMT's jaccard).
    jac = np.where(union > 0, tp / np.maximum(union, 1), 1.0)
    prec = tp / (tp + fp + 1e-12)
    rec = tp / (tp + fn + 1e-12)
    return jac, prec, rec
