"""mmengine's iteration-based training with exact resume."""
from typing import List, Optional, Tuple, Union

from torch.utils.data import DataLoader

from mmmtnas.registry import LOOPS
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop


@LOOPS.register_module()
class IterTrainLoop(ResumableIterLoop):
    """``IterBasedTrainLoop`` whose resumed run repeats the uninterrupted one exactly.

    mmengine's loop resumes by drawing (and augmenting) every skipped batch, which moves the
    random state, so random augmentation after the resume differs. Here the dataloader is moved
    to ``(epoch, batch)`` loading only the current epoch's batches, and the global random state
    is reset per iteration (see :class:`ResumableIterLoop`).

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The training dataloader or its config.
        max_iters (int): Iterations.
        reseed_every_iter (bool): Reset the global RNGs from ``(runner seed, iteration)``
            before every iteration. Defaults to True.
        val_begin (int): Iteration from which to validate. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): As in ``IterBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, dict],
                 max_iters: int,
                 reseed_every_iter: bool = True,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        super().__init__(runner, dataloader, max_iters, val_begin, val_interval,
                         dynamic_intervals)
        del self.dataloader_iterator  # mmengine's; replaced by the repositionable one
        self.iterator = EpochIterator(self.dataloader)
        self.reseed_every_iter = reseed_every_iter

    def _position_dataloaders(self) -> None:
        self.iterator.skip(self._iter)

    def _next_batch(self):
        return next(self.iterator)
