"""Multi-task performance Δm against single-task baselines (Maninis et al. 2019; BMTAS Eq. 7)."""
import json
import logging
import os
import os.path as osp
import tempfile
from typing import Dict, Iterable, Mapping, Optional, Sequence, Union

from mmengine.dist import is_main_process
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log

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
    metrics are computed, ``delta_m`` is added against the single-task baseline. The baseline
    is a dict, or the JSON file that another run (the "Single" one) wrote with ``dump_metrics``;
    a missing file only skips Δm (with a warning), so training is never blocked by it.

    Args:
        metrics (dict | list[dict]): The task metrics, as for ``Evaluator``.
        keys (Sequence[str], optional): The one metric key per task that Δm uses, e.g.
            ``['semseg/mIoU', 'normals/mean']``. Defaults to the keys of a dict ``baseline``.
        baseline (dict | str, optional): Single-task values keyed by metric key, or a JSON file
            holding them. None: no Δm.
        lower_is_better (Sequence[str]): Keys for which lower is better.
        dump_metrics (str, optional): Write all computed metrics to this JSON file (atomically),
            e.g. to serve as the baseline of later runs.
        key (str): Name of the Δm entry. Defaults to ``'delta_m'``.
    """

    def __init__(self,
                 metrics: Union[dict, list],
                 keys: Optional[Sequence[str]] = None,
                 baseline: Union[Dict[str, float], str, None] = None,
                 lower_is_better: Sequence[str] = (),
                 dump_metrics: Optional[str] = None,
                 key: str = 'delta_m') -> None:
        super().__init__(metrics)
        if keys is None and isinstance(baseline, str):
            raise ValueError('give `keys` (one metric per task) when the baseline is a file')
        self.keys = tuple(keys) if keys is not None else tuple(baseline or ())
        self.baseline = baseline
        self.lower_is_better = tuple(lower_is_better)
        self.dump_metrics = dump_metrics
        self.key = key
        if self.keys:
            # Fail at build time, not after a whole evaluation pass.
            multi_task_delta({k: 1.0 for k in self.keys}, {k: 1.0 for k in self.keys},
                             self.lower_is_better)
        if isinstance(baseline, dict):
            missing = set(self.keys) - set(baseline)
            if missing:
                raise KeyError(f'baseline lacks {sorted(missing)}')

    def _baseline(self) -> Optional[Dict[str, float]]:
        if self.baseline is None or isinstance(self.baseline, dict):
            return self.baseline
        if not osp.isfile(self.baseline):
            print_log(f'Δm skipped: baseline file not found: {self.baseline} (run the '
                      f'single-task config with dump_metrics first)', logger='current',
                      level=logging.WARNING)
            return None
        with open(self.baseline) as f:
            return json.load(f)

    def evaluate(self, size: int) -> dict:
        """Evaluate every metric, then add Δm (and dump the metrics if asked)."""
        results = super().evaluate(size)
        baseline = self._baseline()
        if baseline is not None and self.keys:
            missing = set(self.keys) - set(baseline)
            if missing:
                raise KeyError(f'baseline {self.baseline if isinstance(self.baseline, str) else ""}'
                               f' lacks {sorted(missing)}')
            results[self.key] = multi_task_delta(
                results, {k: baseline[k] for k in self.keys}, self.lower_is_better)
        if self.dump_metrics and is_main_process():
            dump_json_atomic(self.dump_metrics, results)
        return results


def dump_json_atomic(path: str, data: dict) -> None:
    """Write ``data`` as JSON to ``path`` via a temporary file in the same folder."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix='.tmp')
    with os.fdopen(fd, 'w') as f:
        json.dump({k: float(v) for k, v in data.items()}, f, indent=2, sort_keys=True)
    os.replace(tmp, path)
