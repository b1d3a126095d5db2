"""Declarative search schedules: which phases each iteration runs, and on which data source.

A schedule is a pure function of its arguments and of the sources' lengths, so a resumed search
replays it exactly: :meth:`SearchSchedule.batches_drawn` says where every dataloader must be.

Registered (``schedule=dict(type=...)`` of :class:`mmmtnas.engine.loops.SearchLoop`):

* ``'bilevel'`` (DARTS): every iteration an architecture step on the architecture source, then a
  weight step on the weight source; the first ``arch_begin_iter`` iterations train the weights
  only (PC-DARTS warm-up).
* ``'task_round_robin'`` (MTNAS S2b): the same pair of steps on ONE task per iteration, the task
  chosen by :func:`~mmmtnas.engine.loops.task_schedule`; the same warm-up.
* ``'bmtas_phases'`` (BMTAS): a warm-up, then blocks of architecture steps and blocks of weight
  steps; the first iteration of each block is a *block start* (the algorithm resets optimiser
  state and batch-norm statistics there).
"""
from collections import Counter
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Tuple, Union

from mmmtnas.registry import SEARCH_SCHEDULES
from .alternating_task_loop import task_schedule

ARCH, WEIGHTS, WARMUP = 'arch', 'weights', 'warmup'


def arch_begin(arch_begin_iter: Union[int, float], max_iters: Optional[int]) -> int:
    """The first iteration that updates the architecture, from an iteration or a fraction.

    Args:
        arch_begin_iter (int | float): An iteration (int, ``0 <= . <= max_iters``) or a fraction
            of ``max_iters`` (float in ``[0, 1)``, rounded to the nearest iteration; PC-DARTS
            waits 15 of 50 epochs: 0.3).
        max_iters (int, optional): Iterations of the search (required).

    Returns:
        int: The iteration (0-based) of the first architecture step.
    """
    if max_iters is None:
        raise ValueError('this search schedule needs `max_iters` in train_cfg')
    if isinstance(arch_begin_iter, float):
        if not 0. <= arch_begin_iter < 1.:
            raise ValueError(f'arch_begin_iter={arch_begin_iter!r}: a float is a fraction of '
                             'max_iters in [0, 1); give an int for an iteration')
        return int(round(arch_begin_iter * max_iters))
    if isinstance(arch_begin_iter, bool) or not isinstance(arch_begin_iter, int) \
            or not 0 <= arch_begin_iter <= max_iters:
        raise ValueError(f'arch_begin_iter={arch_begin_iter!r}: expected an int in [0, '
                         f'max_iters={max_iters}] or a fraction in [0, 1)')
    return arch_begin_iter


@dataclass(frozen=True)
class IterationPlan:
    """What one iteration does.

    Attributes:
        steps (tuple[tuple[str, str]]): ``(phase, source)`` pairs in execution order.
        task (str, optional): The one task the iteration trains (logged as ``train_task``).
        block_start (str, optional): The phase whose block starts afresh at this iteration.
    """
    steps: Tuple[Tuple[str, str], ...]
    task: Optional[str] = None
    block_start: Optional[str] = None


class SearchSchedule:
    """Base class: maps an iteration to an :class:`IterationPlan`.

    Args:
        sources (Mapping[str, int]): Data source name -> batches per epoch.
        max_iters (int, optional): Iterations of the search (some schedules derive it).
    """

    #: First iteration that updates the architecture (the Gumbel temperature ramp starts there).
    search_begin_iter = 0

    def __init__(self, sources: Mapping[str, int], max_iters: Optional[int] = None) -> None:
        self.sources = dict(sources)
        if max_iters is not None and max_iters < 1:
            raise ValueError(f'max_iters must be >= 1, got {max_iters}')
        self.max_iters = max_iters

    def _require(self, *names: str) -> None:
        missing = [n for n in names if n not in self.sources]
        if missing:
            raise KeyError(f'{type(self).__name__} needs data source(s) {missing} in '
                           f'train_dataloader; it has {sorted(self.sources)}')

    def plan(self, iteration: int) -> IterationPlan:
        """Return what ``iteration`` (0-based) does."""
        raise NotImplementedError

    def batches_drawn(self, iteration: int) -> Dict[str, int]:
        """How many batches each source has given before ``iteration``."""
        drawn = Counter({name: 0 for name in self.sources})
        for i in range(iteration):
            drawn.update(source for _, source in self.plan(i).steps)
        return dict(drawn)


@SEARCH_SCHEDULES.register_module(name='bilevel')
class BilevelSchedule(SearchSchedule):
    """DARTS: ``arch`` on ``arch_source`` then ``weights`` on ``weight_source``, every iteration.

    Args:
        sources (Mapping[str, int]): Source lengths.
        max_iters (int): Iterations.
        arch_source (str): Source of the architecture batches. Defaults to 'val'.
        weight_source (str): Source of the weight batches. Defaults to 'train'.
        arch_begin_iter (int | float): The first iteration with an architecture step; before
            it the weights train alone (PC-DARTS warm-up). An int is an iteration, a float in
            ``[0, 1)`` a fraction of ``max_iters`` (see :func:`arch_begin`). Defaults to 0.
    """

    def __init__(self, sources: Mapping[str, int], max_iters: int, arch_source: str = 'val',
                 weight_source: str = 'train', arch_begin_iter: Union[int, float] = 0) -> None:
        super().__init__(sources, max_iters)
        self._require(arch_source, weight_source)
        self.arch_source, self.weight_source = arch_source, weight_source
        self.search_begin_iter = arch_begin(arch_begin_iter, max_iters)

    def plan(self, iteration: int) -> IterationPlan:
        weights = (WEIGHTS, self.weight_source)
        if iteration < self.search_begin_iter:
            return IterationPlan(steps=(weights, ))
        return IterationPlan(steps=((ARCH, self.arch_source), weights))

    def batches_drawn(self, iteration: int) -> Dict[str, int]:
        drawn = dict.fromkeys(self.sources, 0)
        drawn[self.weight_source] += iteration
        drawn[self.arch_source] += max(iteration - self.search_begin_iter, 0)
        return drawn


@SEARCH_SCHEDULES.register_module(name='task_round_robin')
class TaskRoundRobinSchedule(SearchSchedule):
    """MTNAS S2b: each iteration one task's ``arch`` and ``weights`` steps (paper §3.2: "for
    each iteration, only one loss from a single task will be back-propagated").

    Sources are named ``<task>.<split>`` (``train_dataloader=dict(det=dict(train=..., val=...),
    seg=...)``); the task order is the sources' order.

    Args:
        sources (Mapping[str, int]): Source lengths.
        max_iters (int): Iterations.
        order (str): ``'round_robin'`` or ``'random'`` (see
            :func:`~mmmtnas.engine.loops.task_schedule`). Defaults to 'round_robin'.
        weights (dict, optional): Positive weight per task. Defaults to None (equal).
        seed (int): Seed of the 'random' order. Defaults to 0.
        arch_split (str): Split of a task's architecture batches. Defaults to 'val'.
        weight_split (str): Split of a task's weight batches. Defaults to 'train'.
        arch_begin_iter (int | float): The first iteration with an architecture step (warm-up
            as in ``'bilevel'``; the task order is unchanged). Defaults to 0.
    """

    def __init__(self, sources: Mapping[str, int], max_iters: int, order: str = 'round_robin',
                 weights: Optional[Mapping[str, float]] = None, seed: int = 0,
                 arch_split: str = 'val', weight_split: str = 'train',
                 arch_begin_iter: Union[int, float] = 0) -> None:
        super().__init__(sources, max_iters)
        tasks = list(dict.fromkeys(name.split('.', 1)[0] for name in self.sources))
        self._require(*(f'{t}.{s}' for t in tasks for s in (weight_split, arch_split)))
        self.tasks: Tuple[str, ...] = tuple(tasks)
        self.arch_split, self.weight_split = arch_split, weight_split
        self.order = task_schedule(self.tasks, max_iters, order, weights, seed)
        self.search_begin_iter = arch_begin(arch_begin_iter, max_iters)

    def plan(self, iteration: int) -> IterationPlan:
        task = self.order[iteration]
        weights = (WEIGHTS, f'{task}.{self.weight_split}')
        if iteration < self.search_begin_iter:
            return IterationPlan(steps=(weights, ), task=task)
        return IterationPlan(steps=((ARCH, f'{task}.{self.arch_split}'), weights), task=task)

    def batches_drawn(self, iteration: int) -> Dict[str, int]:
        trained = Counter(self.order[:iteration])
        searched = Counter(self.order[self.search_begin_iter:max(iteration,
                                                                 self.search_begin_iter)])
        drawn = {}
        for name in self.sources:
            task, split = name.split('.', 1)
            drawn[name] = ((trained[task] if split == self.weight_split else 0) +
                           (searched[task] if split == self.arch_split else 0))
        return drawn


@SEARCH_SCHEDULES.register_module(name='bmtas_phases')
class BMTASPhaseSchedule(SearchSchedule):
    """BMTAS (Bruggemann et al., BMVC 2020, App. A): ``warmup_iters`` warm-up iterations, then
    cycles of an architecture block and a weight block until the architecture parameters have
    received ``max_arch_iters`` updates (rounded up to whole cycles).

    Args:
        sources (Mapping[str, int]): Source lengths.
        max_iters (int, optional): Ignored if given (the schedule derives it); kept so that the
            loop can pass it uniformly.
        warmup_iters (int): Warm-up iterations. Defaults to 2000.
        max_arch_iters (int): Architecture updates to reach. Defaults to 40000.
        arch_phase_iters (int, optional): Iterations per architecture block. Defaults to one
            pass over ``arch_source``.
        weight_phase_iters (int, optional): Iterations per weight block. Defaults to one pass
            over ``weight_source``.
        warmup_source (str): Source of the warm-up batches. Defaults to 'warmup'.
        arch_source (str): Source of the architecture batches. Defaults to 'arch'.
        weight_source (str): Source of the weight batches. Defaults to 'weights'.
    """

    def __init__(self, sources: Mapping[str, int], max_iters: Optional[int] = None,
                 warmup_iters: int = 2000, max_arch_iters: int = 40000,
                 arch_phase_iters: Optional[int] = None,
                 weight_phase_iters: Optional[int] = None, warmup_source: str = WARMUP,
                 arch_source: str = ARCH, weight_source: str = WEIGHTS) -> None:
        super().__init__(sources)
        if warmup_iters < 0 or max_arch_iters < 1:
            raise ValueError(f'need warmup_iters >= 0 and max_arch_iters >= 1, got '
                             f'{warmup_iters} and {max_arch_iters}')
        self._require(*([warmup_source] if warmup_iters else []), arch_source, weight_source)
        self.source_of = {WARMUP: warmup_source, ARCH: arch_source, WEIGHTS: weight_source}
        self.warmup_iters = int(warmup_iters)
        self.arch_phase_iters = int(arch_phase_iters or self.sources[arch_source])
        self.weight_phase_iters = int(weight_phase_iters or self.sources[weight_source])
        if self.arch_phase_iters < 1 or self.weight_phase_iters < 1:
            raise ValueError('bmtas_phases: a phase has no iteration (split part smaller than '
                             'the batch size with drop_last=True?)')
        self.num_cycles = -(-int(max_arch_iters) // self.arch_phase_iters)
        self.max_iters = self.warmup_iters + self.num_cycles * self.cycle_iters
        self.search_begin_iter = self.warmup_iters

    @property
    def cycle_iters(self) -> int:
        """Iterations of one architecture block plus one weight block."""
        return self.arch_phase_iters + self.weight_phase_iters

    def phase_at(self, iteration: int) -> Tuple[str, int]:
        """Return the phase of an iteration and its index within that phase's block."""
        if iteration < self.warmup_iters:
            return WARMUP, iteration
        offset = (iteration - self.warmup_iters) % self.cycle_iters
        if offset < self.arch_phase_iters:
            return ARCH, offset
        return WEIGHTS, offset - self.arch_phase_iters

    def plan(self, iteration: int) -> IterationPlan:
        phase, index = self.phase_at(iteration)
        return IterationPlan(steps=((phase, self.source_of[phase]), ),
                             block_start=phase if index == 0 else None)

    def batches_drawn(self, iteration: int) -> Dict[str, int]:
        warm = min(iteration, self.warmup_iters)
        cycles, offset = divmod(max(iteration - self.warmup_iters, 0), self.cycle_iters)
        drawn = dict.fromkeys(self.sources, 0)
        for phase, count in ((WARMUP, warm),
                             (ARCH, cycles * self.arch_phase_iters +
                              min(offset, self.arch_phase_iters)),
                             (WEIGHTS, cycles * self.weight_phase_iters +
                              max(offset - self.arch_phase_iters, 0))):
            if count:
                drawn[self.source_of[phase]] += count
        return drawn
