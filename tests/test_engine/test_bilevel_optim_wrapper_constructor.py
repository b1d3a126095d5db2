"""BilevelOptimWrapperConstructor: weights and arch optimisers over disjoint parameter sets that
cover the model, each with its own settings (paramwise_cfg honoured for the weights)."""
import pytest
import torch
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from tiny_bilevel_supernet import TinyBilevelSupernet, one_torch_thread  # noqa: F401

from mmmtnas.models.algorithms import BilevelSearchAlgorithm

CFG = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.025, momentum=0.9, weight_decay=3e-4)),
    arch=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)))


def _ids(wrapper):
    return [id(p) for g in wrapper.optimizer.param_groups for p in g['params']]


def test_weights_and_arch_parameter_sets_are_disjoint_and_cover_the_model():
    algo = BilevelSearchAlgorithm(TinyBilevelSupernet())
    wrappers = build_optim_wrapper(algo, dict(CFG))
    assert isinstance(wrappers, OptimWrapperDict)
    weights, arch = _ids(wrappers['weights']), _ids(wrappers['arch'])
    assert not set(weights) & set(arch)
    assert sorted(weights + arch) == sorted(id(p) for p in algo.parameters())
    assert set(arch) == {id(p) for p in algo.supernet.arch_params.parameters()}
    assert isinstance(wrappers['weights'].optimizer, torch.optim.SGD)
    adam = wrappers['arch'].optimizer
    assert isinstance(adam, torch.optim.Adam)
    assert adam.param_groups[0]['betas'] == (0.5, 0.999)
    assert adam.param_groups[0]['weight_decay'] == 1e-3


def test_paramwise_cfg_applies_to_weights_and_never_admits_arch_params():
    algo = BilevelSearchAlgorithm(TinyBilevelSupernet())
    cfg = dict(CFG)
    cfg['weights'] = dict(CFG['weights'],
                          paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=0.1)}))
    wrappers = build_optim_wrapper(algo, cfg)
    groups = wrappers['weights'].optimizer.param_groups
    arch_ids = {id(p) for p in algo.supernet.arch_params.parameters()}
    assert not any(id(p) in arch_ids for g in groups for p in g['params'])
    head = {id(p) for p in algo.supernet.head.parameters()}
    lrs = [g['lr'] for g in groups if id(g['params'][0]) in head]
    assert lrs == pytest.approx([0.0025, 0.0025])
    assert len(groups) == len(list(algo.parameters())) - len(arch_ids)


@pytest.mark.parametrize('cfg, error, match', [
    (dict(weights=CFG['weights']), KeyError, "exactly the keys 'weights' and 'arch'"),
    (dict(weights=CFG['weights'], arch=dict(lr=1.)), KeyError, r"optim_wrapper\['arch'\]"),
])
def test_bad_configs_raise_one_line_errors(cfg, error, match):
    algo = BilevelSearchAlgorithm(TinyBilevelSupernet())
    with pytest.raises(error, match=match):
        build_optim_wrapper(algo, dict(cfg, constructor='mmmtnas.BilevelOptimWrapperConstructor'))


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
