"""Bi-level search fed by one task per iteration (MTNAS S2b, paper §3.2: "for each iteration,
only one loss from a single task will be back-propagated")."""
import logging
from collections import Counter
from typing import Dict, List, Mapping, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.runner.utils import set_random_seed
from torch.utils.data import DataLoader

from mmmtnas.registry import LOOPS
from .alternating_task_loop import task_schedule
from .bilevel_search_loop import SPLITS, BilevelSearchLoop
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop
from .task_dataloaders import TaskDataLoaders


@LOOPS.register_module()
class AlternatingTaskSearchLoop(ResumableIterLoop):
    """Each iteration picks a task by the schedule and feeds the bi-level search
    ``dict(train=<batch of that task's search split>, val=<batch of its val split>)``.

    So the weight step and the architecture step of one iteration both see only that task's
    loss, and datasets labelled for a single task can be mixed. The task of the iteration is
    recorded in the message hub as info ``train_task``.

    Resuming is exact: the schedule is a pure function of its arguments, every task's two
    loaders are moved to where an uninterrupted run would be (epoch-reshuffled samplers), and
    with ``reseed_every_iter`` the global random state (data augmentation, dropout) is reset
    from ``(seed, iteration)`` before each iteration, so it does not depend on the history.

    Config::

        train_dataloader = dict(det=dict(train=<cfg>, val=<cfg>), seg=dict(train=..., val=...))
        train_cfg = dict(type='mmmtnas.AlternatingTaskSearchLoop', max_iters=10000)

    Args:
        runner (Runner): The runner.
        dataloader (dict): Task -> ``dict(train=<DataLoader or cfg>, val=<DataLoader or cfg>)``;
            None entries are left out. Key order is the round-robin order.
        max_iters (int): Iterations (at most; early-stop hooks may end sooner).
        schedule (str): ``'round_robin'`` or ``'random'`` (see
            :func:`mmmtnas.engine.loops.task_schedule`). Defaults to 'round_robin'.
        weights (dict, optional): Positive weight per task. Defaults to None (equal).
        seed (int): Seed of the 'random' schedule. Defaults to 0.
        reseed_every_iter (bool): Reset the global RNGs from ``(runner seed, iteration)``
            before every iteration. Defaults to True.
        val_begin (int): Iteration from which to validate. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): As in ``IterBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Dict[str, Optional[Mapping[str, Union[DataLoader, dict]]]],
                 max_iters: int,
                 schedule: str = 'round_robin',
                 weights: Optional[Dict[str, float]] = None,
                 seed: int = 0,
                 reseed_every_iter: bool = True,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        if not isinstance(dataloader, Mapping) or 'dataset' in dataloader:
            raise TypeError('AlternatingTaskSearchLoop needs train_dataloader=dict(<task>=dict('
                            'train=<dataloader>, val=<dataloader>), ...)')
        loaders: Dict[str, Dict[str, DataLoader]] = {}
        offset = 0
        for task, pair in dataloader.items():
            if pair is None:
                continue
            if not isinstance(pair, Mapping) or set(pair) != set(SPLITS):
                got = sorted(pair) if isinstance(pair, Mapping) else type(pair).__name__
                raise KeyError(f'train_dataloader.{task} must be dict(train=<dataloader>, '
                               f'val=<dataloader>), got {got}')
            loaders[task] = {}
            for split in SPLITS:
                loaders[task][split] = BilevelSearchLoop._build_dataloader(
                    runner, pair[split], offset)
                offset += 1
        if not loaders:
            raise ValueError('AlternatingTaskSearchLoop: train_dataloader has no task')
        self.task_loaders = loaders
        # The base class sees the tasks' search-split loaders as one (length, dataset meta).
        super().__init__(runner, TaskDataLoaders({t: p['train'] for t, p in loaders.items()}),
                         max_iters, val_begin, val_interval, dynamic_intervals)
        del self.dataloader_iterator  # would iterate over task names; never used
        self.iterators = {task: {split: EpochIterator(loader)
                                 for split, loader in pair.items()}
                          for task, pair in loaders.items()}
        self.tasks: Tuple[str, ...] = tuple(loaders)
        self.schedule = task_schedule(self.tasks, self._max_iters, schedule, weights, seed)
        self.reseed_every_iter = reseed_every_iter

    def _position_dataloaders(self) -> None:
        done = Counter({task: 0 for task in self.tasks})
        done.update(self.schedule[:self._iter])
        if self._iter > 0:
            print_log(f'AlternatingTaskSearchLoop: moving the task dataloaders by {dict(done)} '
                      'batches', logger='current', level=logging.INFO)
        for task, its in self.iterators.items():
            for iterator in its.values():
                iterator.skip(done[task])

    def _next_batch(self) -> dict:
        """The scheduled task's ``dict(train=..., val=...)``, after reseeding if asked to."""
        if self.reseed_every_iter:
            base_seed = self.runner.seed if self.runner.seed is not None else 0
            set_random_seed(base_seed + 7919 * (self._iter + 1))
        task = self.schedule[self._iter]
        batch = {split: next(it) for split, it in self.iterators[task].items()}
        self.runner.message_hub.update_info('train_task', task)
        return batch
