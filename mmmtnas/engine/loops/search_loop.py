"""The one train loop of every search: a schedule says what each iteration does."""
import logging
from typing import List, Mapping, Optional, Tuple

from mmengine.logging import print_log

from mmmtnas.registry import LOOPS, SEARCH_SCHEDULES
from mmmtnas.utils import unwrap_model
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop
from .source_dataloaders import build_source_dataloaders


@LOOPS.register_module()
class SearchLoop(ResumableIterLoop):
    """Feed a search algorithm ``dict(<phase>=<batch>, ...)`` as its schedule says.

    The loop holds no model maths: it builds the named data sources, asks the schedule (see
    :mod:`mmmtnas.engine.loops.search_schedules`) which ``(phase, source)`` steps iteration ``i``
    runs, draws one batch per step, tells the algorithm when a phase block starts
    (``on_phase_start``) and hands the batches to ``model.train_step``.

    Resuming is exact: the schedule is a pure function of its arguments and the sources'
    lengths, each dataloader is moved to where an uninterrupted run would be (epoch-reshuffled
    samplers), and the global random state is reset per iteration (``reseed_every_iter``, see
    :class:`ResumableIterLoop`).

    Config::

        train_dataloader = dict(train=<dataloader cfg>, val=<dataloader cfg>)
        train_cfg = dict(type='mmmtnas.SearchLoop', max_iters=5000,
                         schedule=dict(type='bilevel'))

        # or one dataloader (source 'train') and sources declared as parts of it:
        train_dataloader = dict(batch_size=16, dataset=...)
        train_cfg = dict(type='mmmtnas.SearchLoop', schedule=dict(type='bmtas_phases', ...),
                         splits=dict(arch=dict(of='train', split='val', fraction=0.8),
                                     weights=dict(of='train', split='search', fraction=0.8)))

    Args:
        runner (Runner): The runner.
        dataloader (dict): Source name -> dataloader config (nested dicts name sources
            ``<outer>.<inner>``; None entries are left out), or one dataloader config (the
            source ``'train'``).
        schedule (dict): Schedule config (``type`` from ``SEARCH_SCHEDULES``: ``'bilevel'``,
            ``'task_round_robin'``, ``'bmtas_phases'``).
        splits (dict, optional): Sources declared as parts of another (``of=``) through
            :class:`mmmtnas.DatasetSplit`, see
            :func:`~mmmtnas.engine.loops.build_source_dataloaders`. Defaults to None.
        max_iters (int, optional): Iterations, for schedules that do not derive them.
        reseed_every_iter (bool): Reset the global RNGs from ``(runner seed, iteration)``
            before every iteration. Defaults to True.
        val_begin (int): Iteration from which to validate. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): As in ``IterBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Mapping,
                 schedule: dict,
                 max_iters: Optional[int] = None,
                 splits: Optional[Mapping[str, Mapping]] = None,
                 reseed_every_iter: bool = True,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        if isinstance(dataloader, Mapping) and 'dataset' in dataloader:
            dataloader = dict(train=dataloader)
        loaders = build_source_dataloaders(runner, dataloader, 'train_dataloader', splits)
        self.schedule = SEARCH_SCHEDULES.build(
            schedule, default_args=dict(
                sources={name: len(loader) for name, loader in loaders.items()},
                max_iters=max_iters))
        if self.schedule.max_iters is None:
            raise ValueError(f'SearchLoop: schedule {schedule.get("type")!r} needs `max_iters` '
                             'in train_cfg')
        super().__init__(runner, loaders, self.schedule.max_iters, val_begin, val_interval,
                         dynamic_intervals)
        del self.dataloader_iterator  # would iterate over source names; never used
        self.iterators = {name: EpochIterator(loader) for name, loader in loaders.items()}
        self.reseed_every_iter = reseed_every_iter

    @property
    def search_begin_iter(self) -> int:
        """First iteration that updates the architecture (e.g. the end of a warm-up)."""
        return self.schedule.search_begin_iter

    def _position_dataloaders(self) -> None:
        drawn = self.schedule.batches_drawn(self._iter)
        if self._iter > 0:
            print_log(f'SearchLoop: moving the dataloaders to iteration {self._iter} '
                      f'(batches drawn: {drawn})', logger='current', level=logging.INFO)
        for name, count in drawn.items():
            self.iterators[name].skip(count)

    def _next_batch(self) -> dict:
        """The batches of this iteration's steps, keyed by phase."""
        plan = self.schedule.plan(self._iter)
        if plan.task is not None:
            self.runner.message_hub.update_info('train_task', plan.task)
        if plan.block_start is not None:
            unwrap_model(self.runner.model).on_phase_start(plan.block_start,
                                                           self.runner.optim_wrapper)
        return {phase: next(self.iterators[source]) for phase, source in plan.steps}
