"""Iteration-based training that feeds one batch of every task per iteration (multi-task
methods that weigh the tasks' gradients against each other, e.g. Pareto MTL)."""
from typing import Dict, List, Optional, Tuple, Union

from mmmtnas.registry import LOOPS
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop
from .source_dataloaders import build_source_dataloaders, check_model_tasks


@LOOPS.register_module()
class JointTaskTrainLoop(ResumableIterLoop):
    """Each iteration hands ``dict(<task>=<batch>, ...)``, one batch per task dataloader, to
    ``model.train_step``.

    With datasets labelled for one task each, this is how a method that needs every task's
    loss in the same step (Pareto MTL) sees them; :class:`AlternatingTaskTrainLoop` is the one
    to use for a model trained on one task per step. Resuming is exact: every task's loader is
    advanced by the number of iterations done (each iteration draws one batch from each).

    Args:
        runner (Runner): The runner.
        dataloader (dict): ``dict(task=dataloader cfg or DataLoader or None)``; None entries
            are left out.
        max_iters (int): Iterations.
        reseed_every_iter (bool): Reset the global RNGs from ``(runner seed, iteration)``
            before every iteration. Defaults to True.
        val_begin (int): Iteration from which to validate. Defaults to 1.
        val_interval (int): Validation interval. Defaults to 1000.
        dynamic_intervals (list[tuple[int, int]], optional): As in ``IterBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Dict[str, Union[dict, object, None]],
                 max_iters: int,
                 reseed_every_iter: bool = True,
                 val_begin: int = 1,
                 val_interval: int = 1000,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None) -> None:
        loaders = build_source_dataloaders(runner, dataloader, 'train_dataloader')
        check_model_tasks(runner.model, loaders, 'train_dataloader')
        super().__init__(runner, loaders, max_iters, val_begin, val_interval, dynamic_intervals)
        del self.dataloader_iterator  # would iterate over task names; never used
        self.task_iterators = {task: EpochIterator(loaders[task]) for task in loaders}
        self.reseed_every_iter = reseed_every_iter

    @property
    def tasks(self) -> Tuple[str, ...]:
        """Task names, in dataloader order."""
        return self.dataloader.names

    def _position_dataloaders(self) -> None:
        for iterator in self.task_iterators.values():
            iterator.skip(self._iter)

    def _next_batch(self) -> dict:
        return {task: next(iterator) for task, iterator in self.task_iterators.items()}
