"""GumbelTemperatureHook: linear 5.0 -> 0.1 ramp over the search, applied to the supernet."""
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

from mmmtnas.engine.hooks import GumbelTemperatureHook
from mmmtnas.registry import HOOKS, MODELS


def test_ramp_is_linear_from_start_to_end_and_constant_outside():
    hook = GumbelTemperatureHook()
    assert hook.temperature_at(0, 10, 110) == 5.0
    assert hook.temperature_at(10, 10, 110) == 5.0
    assert hook.temperature_at(60, 10, 110) == pytest.approx(2.55)
    assert hook.temperature_at(110, 10, 110) == pytest.approx(0.1)
    assert hook.temperature_at(500, 10, 110) == pytest.approx(0.1)


def test_hook_sets_every_supernet_temperature_from_the_loop_search_window():
    init_default_scope('mmmtnas')
    supernet = MODELS.build(dict(type='mmmtnas.BranchedSupernet', tasks=['a', 'b'],
                                 backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=0.25),
                                 context=None))
    model = nn.Sequential(nn.Identity(), supernet)
    hook = HOOKS.build(dict(type='mmmtnas.GumbelTemperatureHook'))
    # A stand-in for the runner: the hook reads only these attributes.
    runner = SimpleNamespace(model=model, iter=30,
                             train_loop=SimpleNamespace(search_begin_iter=20, max_iters=40),
                             message_hub=MessageHub.get_instance('test_bmtas_temperature'))
    hook.before_train_iter(runner, batch_idx=0)
    assert supernet.temperature == pytest.approx(2.55)
    assert runner.message_hub.get_scalar('train/gumbel_temperature').current() == \
        pytest.approx(2.55)


def test_non_positive_temperature_is_rejected():
    with pytest.raises(ValueError, match='positive'):
        GumbelTemperatureHook(end=0.)
