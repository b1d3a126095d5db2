"""DDP wrapper that runs the wrapped algorithm's own ``train_step`` with synchronised gradients.

:class:`mmengine.model.MMDistributedDataParallel` hard-codes a one-loss, one-optimiser training
step, which would bypass a bi-level algorithm. Instead of a second copy of the algorithm's step
for DDP, this wrapper hands the algorithm a ``loss_fn`` that runs forward passes through
``DistributedDataParallel.forward``, so every ``backward`` the algorithm takes (including the
virtual ones of the unrolled step) all-reduces gradients across ranks.
"""
from typing import Dict, Union

import torch
from mmengine.optim import OptimWrapperDict

from mmmtnas.models.wrappers.device_agnostic_ddp import DeviceAgnosticDDP
from mmmtnas.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class BilevelDistributedDataParallel(DeviceAgnosticDDP):
    """Distributed wrapper for models whose ``train_step`` accepts a ``loss_fn``.

    Use it through ``model_wrapper_cfg=dict(type='mmmtnas.BilevelDistributedDataParallel')``.
    Every forward pass the algorithm takes is followed by a ``backward`` (DDP's requirement);
    set ``find_unused_parameters=True`` when a batch may leave parameters unused (e.g. a task
    head without labels in the batch).

    Args:
        module (nn.Module): The algorithm, e.g. :class:`BilevelSearchAlgorithm`.
        **kwargs: Arguments of :class:`~mmmtnas.models.wrappers.DeviceAgnosticDDP` (which
            drops ``device_ids`` for CPU processes, so gloo runs work too).
    """

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """Run ``module.train_step`` with forward passes through DDP.

        Args:
            data (dict): What the train loop yields, passed on unchanged.
            optim_wrapper (OptimWrapperDict): Passed on unchanged.

        Returns:
            dict[str, Tensor]: The module's log variables.
        """
        return self.module.train_step(
            data, optim_wrapper, loss_fn=lambda batch: self._run_forward(batch, mode='loss'))
