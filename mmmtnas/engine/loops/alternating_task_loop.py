"""Iteration-based training that feeds one task's batch per iteration (MTNAS S2b, MTL training
on datasets labelled for one task each)."""
import logging
from collections import Counter
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
from mmengine.logging import print_log

from mmmtnas.registry import LOOPS
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop
from .source_dataloaders import build_source_dataloaders, check_model_tasks

SCHEDULES = ('round_robin', 'random')


def task_schedule(tasks: Sequence[str],
                  num_iters: int,
                  schedule: str = 'round_robin',
                  weights: Optional[Mapping[str, float]] = None,
                  seed: int = 0) -> List[str]:
    """Which task's batch each iteration trains on.

    Args:
        tasks (Sequence[str]): Task names, in dataloader order.
        num_iters (int): Number of iterations.
        schedule (str): 'round_robin': a fixed cycle; with ``weights`` the tasks are interleaved
            by smooth weighted round-robin (2:1 gives det, seg, det, det, seg, det, ...).
            'random': each iteration draws a task with probability proportional to its weight
            from a generator seeded with ``seed``. Defaults to 'round_robin'.
        weights (Mapping[str, float], optional): Positive weight per task; missing tasks weigh
            1. Defaults to None (all equal).
        seed (int): Seed of the 'random' schedule. Defaults to 0.

    Returns:
        list[str]: ``num_iters`` task names; a pure function of the arguments, so a resumed run
        replays the same schedule.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f'unknown task schedule {schedule!r}; expected one of {SCHEDULES}')
    weights = dict(weights or {})
    unknown = sorted(set(weights) - set(tasks))
    if unknown:
        raise ValueError(f'task schedule weights have unknown task(s) {unknown}; the '
                         f'dataloaders are for {list(tasks)}')
    w = np.array([float(weights.get(t, 1.)) for t in tasks])
    if not np.all(w > 0):
        raise ValueError(f'task schedule weights must be > 0, got {dict(zip(tasks, w.tolist()))}')
    if schedule == 'random':
        rng = np.random.default_rng(seed)
        return [tasks[i] for i in rng.choice(len(tasks), size=num_iters, p=w / w.sum())]
    # Smooth weighted round-robin: every task gains its weight each step, the richest runs and
    # pays the total; ties go to the earlier task. Equal weights give a plain cycle.
    w, total = w.tolist(), float(w.sum())
    credit = [0.] * len(tasks)
    order = []
    for _ in range(num_iters):
        credit = [c + wi for c, wi in zip(credit, w)]
        i = credit.index(max(credit))
        credit[i] -= total
        order.append(tasks[i])
    return order


@LOOPS.register_module()
class AlternatingTaskTrainLoop(ResumableIterLoop):
    """Iteration-based loop with one dataloader per task; each iteration trains on one batch of
    the task the schedule names, so only that task's loss is back-propagated.

    The current task is recorded in the message hub as info ``train_task`` and the per-task
    iteration counts as ``train_task_counts`` (both saved with checkpoints). On resume each
    task's dataloader is advanced by the number of batches that task has consumed.

    Args:
        runner (Runner): The runner.
        dataloader (dict): ``dict(task=dataloader cfg or DataLoader or None)``; None entries are
            left out. The order of the keys is the round-robin order.
        max_iters (int): Total iterations.
        schedule (str): 'round_robin' or 'random', see :func:`task_schedule`.
            Defaults to 'round_robin'.
        weights (dict, optional): Positive weight per task. Defaults to None (equal).
        seed (int): Seed of the 'random' schedule. Defaults to 0.
        reseed_every_iter (bool): Reset the global RNGs from ``(runner seed, iteration)``
            before every iteration (exact resume, see :class:`ResumableIterLoop`).
            Defaults to True.
        val_begin (int): Iteration from which to validate. Defaults to 1.
        val_interval (int): Validation interval in iterations. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): (milestone, interval) pairs.
            Defaults to None.
    """

    def __init__(self,
                 runner,
                 dataloader: Dict[str, Union[dict, object, None]],
                 max_iters: int,
                 schedule: str = 'round_robin',
                 weights: Optional[Dict[str, float]] = None,
                 seed: int = 0,
                 reseed_every_iter: bool = True,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        loaders = build_source_dataloaders(runner, dataloader, 'train_dataloader')
        check_model_tasks(runner.model, loaders, 'train_dataloader')
        super().__init__(runner, loaders, max_iters, val_begin, val_interval, dynamic_intervals)
        self.task_iterators = {task: EpochIterator(loaders[task]) for task in loaders}
        # The parent's single iterator would iterate over task names; it is never used.
        del self.dataloader_iterator
        self.schedule = task_schedule(loaders.names, self._max_iters, schedule, weights, seed)
        self._task_counts: Counter = Counter()  # batches drawn per task, set by run()
        self.reseed_every_iter = reseed_every_iter

    @property
    def tasks(self) -> Tuple[str, ...]:
        """Task names, in dataloader order."""
        return self.dataloader.names

    def _position_dataloaders(self) -> None:
        done = Counter({task: 0 for task in self.tasks})
        done.update(self.schedule[:self._iter])
        if self._iter > 0:
            print_log(
                f'Advance the task dataloaders by {dict(done)} batches to skip data that has '
                'already been trained', logger='current', level=logging.WARNING)
        for task, num_batches in done.items():  # each task's loader, by its own count
            self.task_iterators[task].skip(num_batches)
        self._task_counts = done

    def _next_batch(self):
        """A batch of the scheduled task; its name and the per-task counts go to the hub."""
        task = self.schedule[self._iter]
        data_batch = next(self.task_iterators[task])
        self._task_counts[task] += 1
        self.runner.message_hub.update_info('train_task', task)
        self.runner.message_hub.update_info('train_task_counts', dict(self._task_counts))
        return data_batch
