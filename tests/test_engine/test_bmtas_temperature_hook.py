"""GumbelTemperatureHook: linear 5.0 -> 0.1 ramp over the search (per iteration or, as the
BMTAS authors, per cycle of the phase schedule), applied to the supernet."""
from types import SimpleNamespace

import pytest
import torch.nn as nn
from mmengine.logging import MessageHub
from mmengine.registry import init_default_scope

from mmmtnas.engine.hooks import GumbelTemperatureHook
from mmmtnas.engine.loops.search_schedules import BilevelSchedule, BMTASPhaseSchedule
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


def _runner(schedule, iteration, supernet=None):
    return SimpleNamespace(model=nn.Sequential(supernet or nn.Identity()), iter=iteration,
                           train_loop=SimpleNamespace(schedule=schedule),
                           message_hub=MessageHub.get_instance('test_bmtas_temperature_cycle'))


def test_by_cycle_is_constant_within_a_cycle_and_linear_over_cycles_as_the_authors():
    # 3 warm-up iterations, then 4 cycles of 2 architecture + 5 weight iterations
    schedule = BMTASPhaseSchedule(dict(warmup=9, arch=2, weights=5), warmup_iters=3,
                                  max_arch_iters=8)
    assert (schedule.num_cycles, schedule.cycle_iters, schedule.max_iters) == (4, 7, 31)
    seen = []
    for iteration in range(schedule.max_iters):
        hook = HOOKS.build(dict(type='mmmtnas.GumbelTemperatureHook', by_cycle=True))
        runner = _runner(schedule, iteration)  # a fresh hook at each iteration: a resume
        hook.before_train_iter(runner, batch_idx=0)
        seen.append(runner.message_hub.get_scalar('train/gumbel_temperature').current())
    assert seen[:3] == [5.0] * 3
    # the authors' schedule: search epoch k of K at 5.0 - (k - 1) / (K - 1) * 4.9
    for k in range(1, 5):
        expected = 5.0 - (k - 1) / 3 * 4.9
        block = seen[3 + (k - 1) * 7:3 + k * 7]
        assert block == pytest.approx([expected] * 7), k
    assert seen[-1] == pytest.approx(0.1)


def test_by_cycle_needs_a_schedule_with_cycles():
    hook = GumbelTemperatureHook(by_cycle=True)
    schedule = BilevelSchedule(dict(train=4, val=4), max_iters=10)
    with pytest.raises(TypeError, match='bmtas_phases'):
        hook.before_train_iter(_runner(schedule, 0), batch_idx=0)
    with pytest.raises(ValueError, match='by_cycle'):
        GumbelTemperatureHook(by_cycle=True, end_iter=10)
