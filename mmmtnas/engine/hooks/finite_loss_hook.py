"""Stop a run at the first non-finite loss (or architecture parameter) instead of training on."""
import math
import os.path as osp

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook

from mmmtnas.registry import HOOKS
from mmmtnas.utils import unwrap_model


class NonFiniteLossError(RuntimeError):
    """A loss term or an architecture parameter became NaN or infinite."""


@HOOKS.register_module()
class FiniteLossHook(Hook):
    """After every training iteration, check the logged losses and the architecture parameters.

    A NaN or infinite value raises :class:`NonFiniteLossError` naming the run (the stage's work
    dir), the iteration and the offending terms. The hook runs before the checkpoint and the
    early-stop hooks (priority ``'VERY_HIGH'``), so no checkpoint, export or completion marker is
    written from a diverged state.
    """

    priority = 'VERY_HIGH'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        bad = [name for name, value in (outputs or {}).items() if not _finite(value)]
        model = unwrap_model(runner.model)
        arch_parameters = getattr(model, 'arch_parameters', None)
        if callable(arch_parameters) and not all(
                bool(torch.isfinite(p).all()) for p in arch_parameters()):
            bad.append('architecture parameters')
        # Every rank must stop, or the others would block in their next all-reduce.
        flag = torch.tensor(float(bool(bad)))
        all_reduce(flag, op='max')
        if flag.item() and not bad:
            bad = ['the loss of another rank']
        if bad:
            raise NonFiniteLossError(
                f'{osp.basename(osp.normpath(runner.work_dir))}: non-finite value at iteration '
                f'{runner.iter + 1} in {", ".join(bad)}; the run is stopped (lower the learning '
                'rate, or clip gradients)')


def _finite(value) -> bool:
    if isinstance(value, torch.Tensor):
        return bool(torch.isfinite(value).all())
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    return True
