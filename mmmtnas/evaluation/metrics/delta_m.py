"""Multi-task performance Δm against single-task baselines (Maninis et al. 2019; BMTAS Eq. 7)."""
from typing import Dict, Iterable, Mapping, Optional, Sequence, Union

from mmengine.evaluator import Evaluator

from mmmtnas.registry import EVALUATOR


def multi_task_delta(metrics: Mapping[str, float],
                     baseline: Mapping[str, float],
                     lower_is_better: Iterable[str] = ()) -> float:
    """Average relative change (in %) of each task's metric against its baseline.

    ``Δm = 1/T Σ_t (-1)^{l_t} (M_m,t - M_b,t) / M_b,t * 100``, with ``l_t = 1`` when lower is
    better for the metric of task ``t``.

    Args:
        metrics (Mapping[str, float]): The model's metrics; must hold every key of ``baseline``.
        baseline (Mapping[str, float]): One metric per task (key -> single-task value).
        lower_is_better (Iterable[str]): Keys of ``baseline`` for which lower is better.

    Returns:
        float: Δm in percent.
    """
    if not baseline:
        raise ValueError('baseline is empty: give one metric per task')
    lower = set(lower_is_better)
    unknown = lower - set(baseline)
    if unknown:
        raise KeyError(f'lower_is_better names {sorted(unknown)}, which are not in the baseline '
                       f'{sorted(baseline)}')
    total = 0.0
    for key, base in baseline.items():
        if key not in metrics:
            raise KeyError(f"metric '{key}' needed for Δm is missing; got {sorted(metrics)}")
        if base == 0:
            raise ValueError(f"baseline of '{key}' is 0: Δm is undefined")
        sign = -1.0 if key in lower else 1.0
        total += sign * (float(metrics[key]) - base) / base * 100.0
    return total / len(baseline)


@EVALUATOR.register_module()
class MultiTaskDeltaEvaluator(Evaluator):
    """An :class:`mmengine.evaluator.Evaluator` that adds Δm to its metrics' results.

    Each task's metric has its own prefix (``semseg/mIoU``, ``normals/mean``...). After the
    metrics are computed, ``delta_m`` is added when a baseline is given.

    Args:
        metrics (dict | list[dict]): The task metrics, as for ``Evaluator``.
        baseline (dict, optional): Single-task values keyed by metric key, e.g.
            ``{'semseg/mIoU': 65.11, 'normals/mean': 13.98}``. None: no Δm.
        lower_is_better (Sequence[str]): Baseline keys for which lower is better.
        key (str): Name of the Δm entry. Defaults to ``'delta_m'``.
    """

    def __init__(self,
                 metrics: Union[dict, list],
                 baseline: Optional[Dict[str, float]] = None,
                 lower_is_better: Sequence[str] = (),
                 key: str = 'delta_m') -> None:
        super().__init__(metrics)
        self.baseline = dict(baseline) if baseline else None
        self.lower_is_better = tuple(lower_is_better)
        self.key = key
        if self.baseline is not None:
            # Fail at build time, not after a whole evaluation pass.
            multi_task_delta(self.baseline, self.baseline, self.lower_is_better)

    def evaluate(self, size: int) -> dict:
        """Evaluate every metric, then add Δm."""
        results = super().evaluate(size)
        if self.baseline is not None:
            results[self.key] = multi_task_delta(results, self.baseline, self.lower_is_better)
        return results
