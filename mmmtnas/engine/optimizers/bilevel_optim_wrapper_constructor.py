"""Two optimisers for a DARTS search: one for the weights, one for the architecture parameters.

The architecture parameters are those of ``model.arch_params`` (their one owner); the weights
are every other parameter, so the two sets are disjoint and together cover the model.
"""
from typing import List

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict

from mmmtnas.models.search import ARCH_KEY, WEIGHTS_KEY, arch_params_of
from mmmtnas.registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS, OPTIMIZERS
from mmmtnas.utils import unwrap_model


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class BilevelOptimWrapperConstructor:
    """Build ``OptimWrapperDict(weights=..., arch=...)`` for a supernet search.

    Example::

        optim_wrapper = dict(
            constructor='mmmtnas.BilevelOptimWrapperConstructor',
            weights=dict(optimizer=dict(type='SGD', lr=0.025, momentum=0.9,
                                        weight_decay=3e-4),
                         clip_grad=dict(max_norm=5)),
            arch=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999),
                                     weight_decay=1e-3)))
        param_scheduler = dict(weights=[dict(type='CosineAnnealingLR', ...)], arch=[])

    Each sub-config is an ordinary optim-wrapper config (``type`` defaults to
    ``OptimWrapper``; ``paramwise_cfg`` is honoured).

    Args:
        optim_wrapper_cfg (dict): With keys ``weights`` and ``arch``.
        paramwise_cfg (dict, optional): Not used at this level (give it per sub-config); must
            be None.
    """

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg=None) -> None:
        if paramwise_cfg is not None:
            raise ValueError('BilevelOptimWrapperConstructor: give `paramwise_cfg` inside '
                             f"'{WEIGHTS_KEY}' or '{ARCH_KEY}', not at the top level")
        keys = set(optim_wrapper_cfg)
        if keys != {WEIGHTS_KEY, ARCH_KEY}:
            raise KeyError(f"optim_wrapper for a bi-level search needs exactly the keys "
                           f"'{WEIGHTS_KEY}' and '{ARCH_KEY}', got {sorted(keys)}")
        for key, cfg in optim_wrapper_cfg.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise KeyError(f"optim_wrapper['{key}'] must be a dict with an 'optimizer' "
                               f'config, got {cfg!r}')
        self.optim_wrapper_cfg = optim_wrapper_cfg

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        model = unwrap_model(model)
        arch_module = arch_params_of(model)
        arch_ids = {id(p) for p in arch_module.parameters()}

        arch_cfg = dict(self.optim_wrapper_cfg[ARCH_KEY])
        arch_wrapper = DefaultOptimWrapperConstructor(
            arch_cfg, arch_cfg.pop('paramwise_cfg', None))(arch_module)

        weights_cfg = dict(self.optim_wrapper_cfg[WEIGHTS_KEY])
        paramwise_cfg = weights_cfg.pop('paramwise_cfg', None)
        optimizer_cfg = dict(weights_cfg.pop('optimizer'))
        weights_cfg.setdefault('type', 'OptimWrapper')
        params: List
        if paramwise_cfg:
            # Reuse mmengine's per-parameter rules, then leave out the architecture parameters
            # (each group holds one parameter).
            groups: List[dict] = []
            DefaultOptimWrapperConstructor(
                dict(optimizer=optimizer_cfg), paramwise_cfg).add_params(groups, model)
            params = [g for g in groups if id(g['params'][0]) not in arch_ids]
        else:
            params = [p for p in model.parameters() if id(p) not in arch_ids]
        optimizer_cfg['params'] = params
        optimizer = OPTIMIZERS.build(optimizer_cfg)
        weights_wrapper = OPTIM_WRAPPERS.build(weights_cfg, default_args=dict(optimizer=optimizer))
        return OptimWrapperDict(**{WEIGHTS_KEY: weights_wrapper, ARCH_KEY: arch_wrapper})
