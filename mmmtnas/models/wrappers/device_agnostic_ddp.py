"""The one DDP wrapper of mmmtnas runs (``tools/train.py`` makes it the default).

It adds three things to :class:`mmengine.model.MMDistributedDataParallel`:

* CPU processes: MMEngine's runner always passes ``device_ids=[LOCAL_RANK]``, which DDP rejects
  for a module on the CPU; there ``device_ids`` must be None (on GPUs nothing changes).
* Declared unused parameters: a model whose training steps legitimately leave some parameters
  without a gradient (the other task's head in a one-task batch, the architecture parameters in
  BMTAS's warm-up) names them in ``unused_in_some_steps()``. DDP then runs with
  ``find_unused_parameters=True``, and after every step this wrapper checks that each parameter
  the model did *not* name received a gradient: a real unused-parameter bug (a layer built but
  never reached by a loss) still fails, with the parameter names. Models that declare nothing
  keep DDP's own strict check. (Why the model, not a config key: whether a step may skip a
  head is a property of the model's ``loss``, true for every config that builds it; a config
  key would have to be repeated in each config and would unmask the whole network.)
* Search algorithms step their own optimisers: their ``train_step`` gets a ``loss_fn`` that
  runs forward passes through DDP, so every ``backward`` they take (including the virtual ones
  of the unrolled DARTS step) all-reduces gradients across ranks.
"""
from typing import Any, Dict, Optional, Sequence, Set, Union

import torch
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapper
from torch import nn

from mmmtnas.models.search import SearchAlgorithm
from mmmtnas.registry import MODEL_WRAPPERS


def declared_unused_parameters(module: nn.Module) -> Set[str]:
    """Names of the parameters that some training steps of ``module`` leave unused.

    Every sub-module with an ``unused_in_some_steps()`` method contributes the names it returns
    (relative to itself), so a task model inside a search algorithm is found too.

    Args:
        module (nn.Module): The model to wrap.

    Returns:
        set[str]: Parameter names as in ``module.named_parameters()``.
    """
    names = set()
    for prefix, sub in module.named_modules():
        declare = getattr(sub, 'unused_in_some_steps', None)
        if callable(declare):
            names.update(f'{prefix}.{name}' if prefix else name for name in declare())
    known = {name for name, _ in module.named_parameters()}
    unknown = sorted(names - known)
    if unknown:
        raise KeyError(f'{type(module).__name__}: unused_in_some_steps() names parameters the '
                       f'model does not have: {unknown[:5]}')
    return names


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDDP(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for CPU and GPU processes, task-per-step models and
    search algorithms (see the module docstring).

    Args:
        module (nn.Module): The model to wrap.
        device_ids (Sequence[int], optional): As in ``DistributedDataParallel``; dropped when
            the module's parameters are on the CPU.
        find_unused_parameters (bool, optional): None (default) derives it from the model's
            ``unused_in_some_steps()`` and checks the rest after every step; True or False is
            passed to DDP unchecked.
        **kwargs: Passed to ``MMDistributedDataParallel``.
    """

    def __init__(self,
                 module: nn.Module,
                 device_ids: Optional[Sequence[int]] = None,
                 find_unused_parameters: Optional[bool] = None,
                 **kwargs: Any) -> None:
        param = next(module.parameters(), None)
        if param is None or param.device.type == 'cpu':
            device_ids = None
        may_skip = declared_unused_parameters(module)
        check = find_unused_parameters is None and bool(may_skip)
        if find_unused_parameters is None:
            find_unused_parameters = bool(may_skip)
        super().__init__(
            module=module,
            device_ids=device_ids,
            find_unused_parameters=find_unused_parameters,
            **kwargs)
        self._must_use: Dict[str, nn.Parameter] = {}
        self._used: Set[int] = set()
        if check:  # the parameters trained from the start (frozen ones never get a hook)
            trained = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
            self._must_use = {n: p for n, p in trained if n not in may_skip}
            for _, p in trained:
                p.register_post_accumulate_grad_hook(self._mark_used)

    def _mark_used(self, param: torch.Tensor) -> None:
        self._used.add(id(param))

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """One training step with synchronised gradients.

        A :class:`SearchAlgorithm` runs its own step with forward passes through DDP; any
        other model runs MMEngine's one-loss, one-optimiser step.

        Args:
            data (dict | tuple | list): What the train loop yields.
            optim_wrapper (OptimWrapper): The runner's optim wrapper (an ``OptimWrapperDict``
                for a search).

        Returns:
            dict[str, Tensor]: The log variables.
        """
        self._used.clear()
        if isinstance(self.module, SearchAlgorithm):
            log_vars = self.module.train_step(
                data, optim_wrapper, loss_fn=lambda batch: self._run_forward(batch, mode='loss'))
        else:
            log_vars = super().train_step(data, optim_wrapper)
        self._check_used()
        return log_vars

    def _check_used(self) -> None:
        if not self._must_use:
            return
        missing = [n for n, p in self._must_use.items()
                   if p.requires_grad and id(p) not in self._used]
        if missing:
            raise RuntimeError(
                f'{type(self.module).__name__}: {len(missing)} parameter(s) received no gradient '
                f'in this training step, e.g. {missing[:3]}; no loss reaches them (a bug), or '
                'the model must name them in unused_in_some_steps()')
