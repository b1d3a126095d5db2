"""Iteration-based loop that feeds a bi-level search two batches per step: train and val."""
import logging
from typing import Dict, List, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from torch.utils.data import DataLoader

from mmmtnas.registry import LOOPS

SPLITS = ('train', 'val')


class _EpochIterator:
    """Endless iterator over a finite dataloader that reshuffles by sampler epoch.

    Unlike mmengine's ``_InfiniteDataloaderIterator`` it can jump to any position (epoch,
    batch) without loading the batches of the epochs before it, which keeps resuming cheap and
    exact for samplers whose order depends only on ``(seed, epoch)`` (mmengine's
    ``DefaultSampler``).
    """

    def __init__(self, dataloader: DataLoader) -> None:
        if len(dataloader) == 0:
            raise ValueError('BilevelSearchLoop: a dataloader yields no batch (dataset smaller '
                             'than the batch size with drop_last=True?)')
        self.dataloader = dataloader
        self.epoch = 0
        self._iterator = None

    def _set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        loader = self.dataloader
        sampler = getattr(loader, 'sampler', None)
        if not hasattr(sampler, 'set_epoch'):
            sampler = getattr(getattr(loader, 'batch_sampler', None), 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)

    def skip(self, num_batches: int) -> None:
        """Position the iterator as if ``num_batches`` batches had been drawn."""
        epoch, offset = divmod(num_batches, len(self.dataloader))
        self._set_epoch(epoch)
        self._iterator = iter(self.dataloader)
        for _ in range(offset):  # only the current epoch's batches are loaded and dropped
            next(self._iterator)

    def __next__(self):
        if self._iterator is None:
            self.skip(0)
        try:
            return next(self._iterator)
        except StopIteration:
            self._set_epoch(self.epoch + 1)
            self._iterator = iter(self.dataloader)
            return next(self._iterator)


@LOOPS.register_module()
class BilevelSearchLoop(IterBasedTrainLoop):
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
        self.iterators = {name: _EpochIterator(loader)
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

    def _next_batches(self) -> dict:
        return {name: next(iterator) for name, iterator in self.iterators.items()}

    def run(self):
        """Run the search from the current iteration to ``max_iters``."""
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0:
            print_log(f'BilevelSearchLoop: moving both dataloaders to iteration {self._iter}',
                      logger='current', level=logging.INFO)
        for iterator in self.iterators.values():
            iterator.skip(self._iter)
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            self.run_iter(self._next_batches())
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
