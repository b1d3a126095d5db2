"""DARTS+ early stopping: stop a search whose normal cell collapses into skip connections."""
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmmtnas.registry import HOOKS

from .architecture_export_hook import export_architecture
from .architecture_stable_stop_hook import in_warmup


@HOOKS.register_module()
class SkipConnectStopHook(Hook):
    """Stop training when a derived cell holds more than ``max_skip_connects`` skip_connects.

    Also ends a pre-search (MTNAS S2a) that runs "while the normal cell has <= T
    skip_connects": it only stops the loop; what follows is up to the pipeline. Checks during
    the loop's warm-up are skipped: the cells derived from the initial (random) alphas are not
    a search result (see
    :func:`~mmmtnas.engine.hooks.architecture_stable_stop_hook.in_warmup`).

    Args:
        interval (int): Check every ``interval`` training iterations. Defaults to 100.
        max_skip_connects (int): T: more than this many stops the search. Defaults to 2.
        cell (str): Cell key to inspect. Defaults to ``'normal'``.
        parts (Sequence[str], optional): Part prefixes to inspect (e.g. ``['backbone']``).
            None inspects every part that has ``cell``. Defaults to None.
        op (str): The op counted. Defaults to ``'skip_connect'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 100,
                 max_skip_connects: int = 2,
                 cell: str = 'normal',
                 parts: Optional[Sequence[str]] = None,
                 op: str = 'skip_connect') -> None:
        if interval <= 0 or max_skip_connects < 0:
            raise ValueError('SkipConnectStopHook: interval must be > 0 and max_skip_connects '
                             f'>= 0, got {interval}, {max_skip_connects}')
        self.interval = interval
        self.max_skip_connects = max_skip_connects
        self.cell = cell
        self.parts = list(parts) if parts is not None else None
        self.op = op

    def before_train(self, runner) -> None:
        # A run resumed from the checkpoint of a check repeats that check: the architecture is
        # the one checked then, so it stops where the uninterrupted run stopped.
        if runner.iter > 0 and runner.iter % self.interval == 0:
            self.check(runner, runner.iter)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self.check(runner, runner.iter + 1)

    def check(self, runner, iteration: int) -> None:
        """Stop the loop if the cells exported after ``iteration`` hold too many ops."""
        if in_warmup(runner, iteration):
            return
        structure = export_architecture(runner, iteration)
        if not callable(getattr(structure, 'count_op', None)):
            raise TypeError(f'SkipConnectStopHook needs a search that exports cells (genotypes), '
                            f'got a {type(structure).__name__}')
        try:
            counts = structure.count_op(self.op, self.cell, self.parts)
        except KeyError as e:
            raise KeyError(f'SkipConnectStopHook: {e.args[0]}') from None
        for name, count in counts.items():
            if count > self.max_skip_connects:
                print_log(f'SkipConnectStopHook: {name} {self.cell} cell has {count} '
                          f'{self.op} (> {self.max_skip_connects}) at iteration '
                          f'{iteration}; stopping the search', logger='current')
                runner.train_loop.stop_training = True
                return
