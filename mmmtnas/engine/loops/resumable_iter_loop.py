"""Iteration-based train loop whose subclasses only say how to resume and what to feed."""
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.utils import set_random_seed


class ResumableIterLoop(IterBasedTrainLoop):
    """``IterBasedTrainLoop.run`` with its two loop-specific steps made overridable.

    mmengine's loop draws ``self._iter`` batches from one dataloader on resume and then one
    batch per iteration. Our loops feed several dataloaders (train/val splits, tasks, search
    phases), so a subclass implements :meth:`_position_dataloaders` (put every dataloader where
    an uninterrupted run would be at ``self._iter``) and :meth:`_next_batch` (set up the
    iteration and return its data batch); hooks, validation and stopping stay mmengine's.

    With ``reseed_every_iter`` (set by subclasses, default True) the global random state (data
    augmentation, dropout, Gumbel noise) is reset from ``(runner seed, iteration)`` before each
    iteration, so it does not depend on the history and a resumed run repeats an uninterrupted
    one exactly.
    """

    reseed_every_iter = True

    def _reseed(self) -> None:
        base_seed = self.runner.seed if self.runner.seed is not None else 0
        set_random_seed(base_seed + 7919 * (self._iter + 1))

    def _position_dataloaders(self) -> None:
        """Move the dataloaders to iteration ``self._iter`` (called once, when ``run`` starts)."""
        raise NotImplementedError

    def _next_batch(self):
        """Prepare iteration ``self._iter`` and return the batch passed to ``run_iter``."""
        raise NotImplementedError

    def run(self):
        """Run from the current iteration to ``max_iters`` (or until ``stop_training``)."""
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        self._position_dataloaders()
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            if self.reseed_every_iter:
                self._reseed()
            self.run_iter(self._next_batch())
            self._decide_current_val_interval()
            if (self.runner.val_loop is not None and self._iter >= self.val_begin
                    and (self._iter % self.val_interval == 0
                         or self._iter == self._max_iters)):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
