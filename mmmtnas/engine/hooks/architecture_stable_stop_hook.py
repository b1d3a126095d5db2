"""DARTS+ early stopping: stop a search once its exported architecture has stopped changing."""
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmmtnas.registry import HOOKS

from .architecture_export_hook import export_architecture

STATE_KEY = 'architecture_stable_stop'


def in_warmup(runner, iteration: int) -> bool:
    """Whether the architecture after ``iteration`` training iterations is still the initial
    one: no architecture step yet (the train loop's ``search_begin_iter``, e.g. the PC-DARTS
    warm-up; loops without one search from the start)."""
    return iteration <= int(getattr(runner.train_loop, 'search_begin_iter', 0))


@HOOKS.register_module()
class ArchitectureStableStopHook(Hook):
    """Stop training when the exported architecture stayed the same for ``patience`` checks.

    Every ``interval`` iterations (a *check*) the search algorithm exports its structure
    (genotypes of all searchable parts, or a BMTAS branch structure) and its ``signature()`` is
    compared with that of the previous check; after ``patience`` consecutive unchanged checks
    the train loop's ``stop_training`` is set (MTNAS Algorithm 1's "does not change for K",
    DARTS+ uses 10). Checks while the architecture is not yet updated (the loop's warm-up, see
    :func:`in_warmup`) are trivially unchanged: they only set the reference of the first
    counted check, so the earliest stop is ``patience`` checks after the warm-up. The count
    and the last genotypes are kept in checkpoints, so a resumed search stops where an
    uninterrupted one would.

    Args:
        interval (int): Check every ``interval`` training iterations. Defaults to 100.
        patience (int): Number of consecutive unchanged checks that stops the search.
            Defaults to 10.
    """

    priority = 'NORMAL'

    def __init__(self, interval: int = 100, patience: int = 10) -> None:
        if interval <= 0 or patience <= 0:
            raise ValueError('ArchitectureStableStopHook: interval and patience must be > 0, '
                             f'got interval={interval}, patience={patience}')
        self.interval = interval
        self.patience = patience
        self.last = None  # signature of the previous check
        self.unchanged = 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        # A signature is canonical: e.g. a swap in the order derivation lists a node's edges is
        # not a change of architecture.
        iteration = runner.iter + 1
        current = export_architecture(runner, iteration).signature()
        searched = not in_warmup(runner, iteration)
        self.unchanged = self.unchanged + 1 if searched and current == self.last else 0
        self.last = current
        runner.message_hub.update_scalar('train/arch_unchanged_checks', self.unchanged)
        if self.unchanged >= self.patience:
            print_log(f'ArchitectureStableStopHook: architecture unchanged for {self.unchanged} '
                      f'checks at iteration {iteration}; stopping the search',
                      logger='current')
            runner.train_loop.stop_training = True

    def before_train(self, runner) -> None:
        # A run resumed from the checkpoint of the iteration that decided to stop stops too.
        if self.unchanged >= self.patience:
            runner.train_loop.stop_training = True

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[STATE_KEY] = dict(
            last=self.last, unchanged=self.unchanged)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('meta', {}).get(STATE_KEY)
        if state is not None:
            self.last, self.unchanged = state['last'], int(state['unchanged'])
