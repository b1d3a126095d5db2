"""Anneal the Gumbel-softmax temperature of branched supernets linearly over the search."""
from typing import List, Optional

import torch.nn as nn
from mmengine.hooks import Hook

from mmmtnas.registry import HOOKS
from mmmtnas.utils import unwrap_model


@HOOKS.register_module()
class GumbelTemperatureHook(Hook):
    """Set ``temperature`` of every Gumbel-softmax router in the model (a module with a
    ``temperature`` and a ``set_routing_mode``, e.g. :class:`mmmtnas.BranchedSupernet`) before
    each training iteration, linearly from ``start`` at ``begin_iter`` to ``end`` at ``end_iter``
    (constant outside).

    Args:
        start (float): Temperature at ``begin_iter``. Defaults to 5.0 (BMTAS).
        end (float): Temperature at ``end_iter``. Defaults to 0.1 (BMTAS).
        begin_iter (int, optional): First search iteration. None: the train loop's
            ``search_begin_iter`` (the end of the warm-up) if it has one, else 0.
        end_iter (int, optional): Iteration at which ``end`` is reached. None: the train
            loop's ``max_iters``.
    """
    priority = 'NORMAL'

    def __init__(self,
                 start: float = 5.0,
                 end: float = 0.1,
                 begin_iter: Optional[int] = None,
                 end_iter: Optional[int] = None) -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'Gumbel temperatures must be positive, got start={start}, '
                             f'end={end}')
        self.start, self.end = float(start), float(end)
        self.begin_iter, self.end_iter = begin_iter, end_iter

    def temperature_at(self, iteration: int, begin: int, stop: int) -> float:
        """Return the temperature at ``iteration`` for a ramp from ``begin`` to ``stop``."""
        if stop <= begin:
            return self.end if iteration >= begin else self.start
        progress = min(max((iteration - begin) / (stop - begin), 0.), 1.)
        return self.start + (self.end - self.start) * progress

    @staticmethod
    def supernets(model) -> List[nn.Module]:
        """Return the Gumbel-softmax routers inside a (possibly wrapped) model."""
        return [m for m in unwrap_model(model).modules()
                if hasattr(m, 'temperature') and callable(getattr(m, 'set_routing_mode', None))]

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        loop = runner.train_loop
        begin = self.begin_iter
        if begin is None:
            begin = getattr(loop, 'search_begin_iter', 0)
        stop = self.end_iter if self.end_iter is not None else loop.max_iters
        tau = self.temperature_at(runner.iter, begin, stop)
        for supernet in self.supernets(runner.model):
            supernet.temperature = tau
        runner.message_hub.update_scalar('train/gumbel_temperature', tau)
