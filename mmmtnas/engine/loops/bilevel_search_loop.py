"""Iteration-based loop that feeds a bi-level search two batches per step: train and val."""
import logging
from typing import Dict, List, Optional, Tuple, Union

from mmengine.logging import print_log
from torch.utils.data import DataLoader

from mmmtnas.registry import LOOPS
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop

SPLITS = ('train', 'val')


@LOOPS.register_module()
class BilevelSearchLoop(ResumableIterLoop):
    """Train loop of a DARTS search: every iteration yields ``dict(train=..., val=...)``.

    The two dataloaders (e.g. the two sides of :class:`mmmtnas.DatasetSplit`) run through their
    own epochs, each reshuffled by its sampler's epoch. On resume both are moved to where an
    uninterrupted run would be, so the resumed run sees the same batches.

    Config::

        train_dataloader = dict(train=<dataloader cfg>, val=<dataloader cfg>)
        train_cfg = dict(type='mmmtnas.BilevelSearchLoop', max_iters=5000, val_interval=1000)

    Args:
        runner (Runner): The runner.
        dataloader (dict): ``dict(train=<DataLoader or cfg>, val=<DataLoader or cfg>)``.
        max_iters (int): Number of search iterations.
        val_begin (int): Iteration at which validation (the runner's val loop) starts.
            Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): As in ``IterBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Dict[str, Union[DataLoader, dict]],
                 max_iters: int,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        if not isinstance(dataloader, dict) or set(dataloader) != set(SPLITS):
            got = sorted(dataloader) if isinstance(dataloader, dict) else type(dataloader)
            raise KeyError('BilevelSearchLoop needs train_dataloader=dict(train=<dataloader>, '
                           f'val=<dataloader>), got {got}')
        self.dataloaders = {
            name: self._build_dataloader(runner, loader, seed_offset)
            for seed_offset, (name, loader) in enumerate(
                (name, dataloader[name]) for name in SPLITS)
        }
        # The base class treats the 'train' loader as *the* dataloader (epoch length for
        # schedulers, dataset meta for the visualiser).
        super().__init__(runner, self.dataloaders['train'], max_iters, val_begin,
                         val_interval, dynamic_intervals)
        self.iterators = {name: EpochIterator(loader)
                          for name, loader in self.dataloaders.items()}

    @staticmethod
    def _build_dataloader(runner, loader: Union[DataLoader, dict],
                          seed_offset: int) -> DataLoader:
        if isinstance(loader, DataLoader):
            return loader
        diff_rank_seed = runner._randomness_cfg.get('diff_rank_seed', False)
        seed = runner.seed
        # A different sampler seed per split, so equal-sized splits are not shuffled in step.
        if seed is not None:
            seed += seed_offset
        return runner.build_dataloader(loader, seed=seed, diff_rank_seed=diff_rank_seed)

    def _position_dataloaders(self) -> None:
        if self._iter > 0:
            print_log(f'BilevelSearchLoop: moving both dataloaders to iteration {self._iter}',
                      logger='current', level=logging.INFO)
        for iterator in self.iterators.values():
            iterator.skip(self._iter)

    def _next_batch(self) -> dict:
        """One batch of each split: ``dict(train=..., val=...)``."""
        return {name: next(iterator) for name, iterator in self.iterators.items()}

    _next_batches = _next_batch  # the name the tests use
