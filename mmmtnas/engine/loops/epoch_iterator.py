"""Endless, cheaply repositionable iterator over a finite dataloader."""
import torch
from torch.utils.data import DataLoader


class EpochIterator:
    """Endless iterator over a finite dataloader that reshuffles by sampler epoch.

    Unlike mmengine's ``_InfiniteDataloaderIterator`` it can jump to any position (epoch,
    batch) without loading the batches of the epochs before it, which keeps resuming cheap and
    exact for samplers whose order depends only on ``(seed, epoch)`` (mmengine's
    ``DefaultSampler``). The search loops use it to put each dataloader where an uninterrupted
    run would be.

    Args:
        dataloader (DataLoader): A finite dataloader with at least one batch per epoch.

    Raises:
        ValueError: The dataloader yields no batch.
    """

    def __init__(self, dataloader: DataLoader) -> None:
        if len(dataloader) == 0:
            raise ValueError('EpochIterator: a dataloader yields no batch (dataset smaller '
                             'than the batch size with drop_last=True?)')
        self.dataloader = dataloader
        self.epoch = 0
        self._iterator = None

    def _new_iterator(self):
        # A DataLoader draws its workers' base seed from the global torch RNG when an iterator
        # is created. Where that happens differs between a resumed and an uninterrupted run
        # (at resume vs at an epoch end), so it must not move the global RNG: the loops reseed
        # it per iteration and expect nothing else to consume it.
        with torch.random.fork_rng(devices=[]):
            return iter(self.dataloader)

    def _set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        loader = self.dataloader
        sampler = getattr(loader, 'sampler', None)
        if not hasattr(sampler, 'set_epoch'):
            sampler = getattr(getattr(loader, 'batch_sampler', None), 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(epoch)

    def skip(self, num_batches: int) -> None:
        """Position the iterator as if ``num_batches`` batches had been drawn.

        Args:
            num_batches (int): Batches drawn since the start (epoch 0, batch 0).
        """
        epoch, offset = divmod(num_batches, len(self.dataloader))
        self._set_epoch(epoch)
        self._iterator = self._new_iterator()
        for _ in range(offset):  # only the current epoch's batches are loaded and dropped
            next(self._iterator)

    def __iter__(self) -> 'EpochIterator':
        return self

    def __next__(self):
        if self._iterator is None:
            self.skip(0)
        try:
            return next(self._iterator)
        except StopIteration:
            self._set_epoch(self.epoch + 1)
            self._iterator = self._new_iterator()
            return next(self._iterator)
