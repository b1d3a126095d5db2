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
    each training iteration.

    Two ramps from ``start`` to ``end``, constant outside:

    - per iteration (``by_cycle=False``): linear from ``begin_iter`` to ``end_iter``;
    - per cycle (``by_cycle=True``, BMTAS): the search loop's schedule runs cycles of an
      architecture block and a weight block (``bmtas_phases``: one pass over the 20% part and
      one over the 80% part, the authors' "epoch"); the temperature is constant within a
      cycle and linear in the cycle index, ``start`` in the first cycle and ``end`` in the last
      (the authors' ``5.0 - (k - 1) / (K - 1) * 4.9`` for search epoch ``k`` of ``K``). The
      warm-up keeps ``start``.

    The temperature is a function of the iteration alone, so a resumed run sets the same
    values as an uninterrupted one.

    Args:
        start (float): First temperature. Defaults to 5.0 (BMTAS).
        end (float): Last temperature. Defaults to 0.1 (BMTAS).
        begin_iter (int, optional): Per-iteration ramp: first search iteration. None: the train
            loop's ``search_begin_iter`` (the end of the warm-up) if it has one, else 0.
        end_iter (int, optional): Per-iteration ramp: iteration at which ``end`` is reached.
            None: the train loop's ``max_iters``.
        by_cycle (bool): Anneal per cycle of the loop's schedule (needs a schedule with
            ``warmup_iters``, ``cycle_iters`` and ``num_cycles``). Defaults to False.
    """
    priority = 'NORMAL'

    def __init__(self,
                 start: float = 5.0,
                 end: float = 0.1,
                 begin_iter: Optional[int] = None,
                 end_iter: Optional[int] = None,
                 by_cycle: bool = False) -> None:
        if start <= 0 or end <= 0:
            raise ValueError(f'Gumbel temperatures must be positive, got start={start}, '
                             f'end={end}')
        if by_cycle and (begin_iter is not None or end_iter is not None):
            raise ValueError('GumbelTemperatureHook: begin_iter/end_iter set the per-iteration '
                             'ramp; by_cycle=True takes the cycles from the search schedule')
        self.start, self.end = float(start), float(end)
        self.begin_iter, self.end_iter = begin_iter, end_iter
        self.by_cycle = bool(by_cycle)

    def temperature_at(self, iteration: int, begin: int, stop: int) -> float:
        """Return the temperature at ``iteration`` for a ramp from ``begin`` to ``stop``."""
        if stop <= begin:
            return self.end if iteration >= begin else self.start
        progress = min(max((iteration - begin) / (stop - begin), 0.), 1.)
        return self.start + (self.end - self.start) * progress

    def cycle_temperature_at(self, iteration: int, warmup_iters: int, cycle_iters: int,
                             num_cycles: int) -> float:
        """Return the temperature at ``iteration`` of a cycle schedule (see the class doc)."""
        if iteration < warmup_iters:
            return self.start
        cycle = min((iteration - warmup_iters) // cycle_iters, num_cycles - 1)
        # one cycle: the ramp ends at once, as a per-iteration ramp of length 0 does
        return self.temperature_at(cycle, 0, num_cycles - 1)

    @staticmethod
    def supernets(model) -> List[nn.Module]:
        """Return the Gumbel-softmax routers inside a (possibly wrapped) model."""
        return [m for m in unwrap_model(model).modules()
                if hasattr(m, 'temperature') and callable(getattr(m, 'set_routing_mode', None))]

    def _temperature(self, runner) -> float:
        loop = runner.train_loop
        if self.by_cycle:
            schedule = getattr(loop, 'schedule', None)
            names = ('warmup_iters', 'cycle_iters', 'num_cycles')
            if not all(hasattr(schedule, n) for n in names):
                raise TypeError(f'GumbelTemperatureHook(by_cycle=True) needs a search schedule '
                                f'with cycles (bmtas_phases); the train loop '
                                f'{type(loop).__name__} has {type(schedule).__name__}')
            return self.cycle_temperature_at(runner.iter, *(getattr(schedule, n)
                                                            for n in names))
        begin = self.begin_iter
        if begin is None:
            begin = getattr(loop, 'search_begin_iter', 0)
        stop = self.end_iter if self.end_iter is not None else loop.max_iters
        return self.temperature_at(runner.iter, begin, stop)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        tau = self._temperature(runner)
        for supernet in self.supernets(runner.model):
            supernet.temperature = tau
        runner.message_hub.update_scalar('train/gumbel_temperature', tau)
