"""Optimiser for a branched network: a block shared by k tasks learns at lr / k.

A block shared by k tasks receives the gradients of k task losses in every step, so BMTAS
(App. A, after Misra et al.) divides its learning rate by k when retraining the derived network.
"""
from collections import defaultdict
from typing import Dict, List

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from mmmtnas.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS
from mmmtnas.utils import unwrap_model


def shared_lr_factors(model: nn.Module) -> Dict[int, float]:
    """Map ``id(param)`` to ``1 / (number of tasks sharing it)`` for every parameter of every
    module inside ``model`` that lists its shared blocks (``shared_blocks()``, e.g.
    :class:`mmmtnas.BranchedNetwork`); parameters elsewhere are not listed."""
    factors = {}
    for module in model.modules():
        if callable(getattr(module, 'shared_blocks', None)):
            for block, num_tasks in module.shared_blocks():
                for param in block.parameters():
                    factors[id(param)] = 1. / num_tasks
    return factors


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SharedBlockLRConstructor(DefaultOptimWrapperConstructor):
    """Default optim-wrapper construction, then the lr of each parameter of a block shared by
    ``k`` tasks (including the stem, shared by all) is divided by ``k``.

    ``paramwise_cfg`` is honoured (its lr multipliers apply first). Example::

        optim_wrapper = dict(
            constructor='mmmtnas.SharedBlockLRConstructor',
            optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        model = unwrap_model(model)
        factors = shared_lr_factors(model)
        if not factors:
            raise ValueError('SharedBlockLRConstructor: the model has no module with shared '
                             'blocks (e.g. a BranchedNetwork); use the default constructor')
        optim_wrapper_cfg = self.optim_wrapper_cfg.copy()
        optim_wrapper_cfg.setdefault('type', 'OptimWrapper')
        optimizer_cfg = self.optimizer_cfg.copy()
        groups: List[dict] = []
        if self.paramwise_cfg:
            self.add_params(groups, model)  # one group per parameter, with its own options
            for group in groups:
                factor = factors.get(id(group['params'][0]), 1.)
                if factor != 1.:
                    group['lr'] = group.get('lr', self.base_lr) * factor
        else:
            by_factor = defaultdict(list)
            for param in model.parameters():
                by_factor[factors.get(id(param), 1.)].append(param)
            groups = [dict(params=params, lr=self.base_lr * factor)
                      for factor, params in sorted(by_factor.items(), reverse=True)]
        optimizer_cfg['params'] = groups
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        return OPTIM_WRAPPERS.build(optim_wrapper_cfg, default_args=dict(optimizer=optimizer))
