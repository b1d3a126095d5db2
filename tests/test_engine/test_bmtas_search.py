"""BMTAS search: what each phase updates (algorithm) and the phase schedule (loop)."""
import copy

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.optim import OptimWrapperDict
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from tiny_bmtas import TASKS, batch, search_cfg, search_runner_cfg

from mmmtnas.engine.loops import BMTASPhaseSchedule
from mmmtnas.models.branched.madds import count_madds
from mmmtnas.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmmtnas.structures import load_branch_file


def build(arch_lr=0.01, **kwargs):
    init_default_scope('mmmtnas')
    torch.manual_seed(0)
    algorithm = MODELS.build(search_cfg(**kwargs))
    algorithm.init_weights()
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='mmmtnas.BilevelOptimWrapperConstructor',
        optim_wrapper_cfg=dict(
            weights=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4)),
            arch=dict(optimizer=dict(type='Adam', lr=arch_lr, weight_decay=5e-5)))))(algorithm)
    return algorithm, optim


def snapshot(module):
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def changed(before, module):
    return {k for k, v in module.named_parameters() if not torch.equal(before[k], v)}


def test_optimisers_split_alpha_from_weights():
    algorithm, optim = build()
    assert isinstance(optim, OptimWrapperDict)
    arch = {id(p) for g in optim['arch'].optimizer.param_groups for p in g['params']}
    weights = {id(p) for g in optim['weights'].optimizer.param_groups for p in g['params']}
    assert arch == {id(p) for p in algorithm.arch_params.parameters()}
    assert arch.isdisjoint(weights)
    assert len(arch) + len(weights) == len(list(algorithm.parameters()))


def test_warmup_trains_task_t_only_through_copy_t_and_leaves_alpha():
    algorithm, optim = build(tasks=('seg', 'sal'))
    algorithm.set_phase('warmup')
    algorithm.train()
    before = snapshot(algorithm)
    # One task's loss at a time shows which copies its gradient reaches.
    supernet = algorithm.supernet
    data = algorithm.data_preprocessor(batch(('seg', 'sal')), True)
    feats = supernet(data['inputs'])
    algorithm.model.heads['sal'].loss(feats['sal'], data['data_samples'], None)['loss_bce'] \
        .backward()
    for name in supernet.layer_names:
        assert all(p.grad is None for p in supernet.block(name, 0).parameters())
        assert any(p.grad is not None and p.grad.abs().sum() > 0
                   for p in supernet.block(name, 1).parameters())
    algorithm.zero_grad()
    log = algorithm.train_step(dict(warmup=batch(('seg', 'sal'))), optim)
    assert algorithm.supernet.routing_mode == 'identity'
    assert 'seg.loss_ce' in log and not any('loss_resource' in k for k in log)
    moved = changed(before, algorithm)
    assert not any(k.startswith('model.encoder.arch_params') for k in moved)
    assert any('layers.layer3__1.0.' in k for k in moved)
    assert any('layers.layer3__1.1.' in k for k in moved)


def test_arch_step_changes_only_alpha():
    algorithm, optim = build()
    algorithm.train()
    before = snapshot(algorithm)
    log = algorithm.train_step(dict(arch=batch()), optim)
    assert 'arch.loss_resource' in log and algorithm.supernet.routing_mode == 'gumbel'
    moved = changed(before, algorithm)
    alpha_keys = {f'model.encoder.arch_params.{k}' for k, _ in
                  algorithm.arch_params.named_parameters()}
    assert moved and moved <= alpha_keys
    assert all(p.grad is None or p.grad.abs().sum() == 0 for p in algorithm.parameters())


def test_weight_step_changes_weights_but_not_alpha():
    algorithm, optim = build()
    algorithm.train()
    before = snapshot(algorithm)
    log = algorithm.train_step(dict(weights=batch()), optim)
    moved = changed(before, algorithm)
    assert moved and not any('arch_params' in k for k in moved)
    assert not any('loss_resource' in k for k in log)


def test_resource_term_is_counted_once_per_task():
    lam = 0.5
    algorithm, _ = build(resource_weight=lam)
    algorithm.set_phase('arch')
    algorithm.train()
    with torch.no_grad():
        for name in algorithm.supernet.layer_names:
            algorithm.arch_params[name].normal_()
    data = algorithm.data_preprocessor(batch(), True)
    losses = algorithm(**data, mode='loss')
    expected = algorithm.resource_loss(algorithm.arch_params.probs(),
                                       algorithm.get_layer_costs().float() / 1e6)
    torch.testing.assert_close(losses['loss_resource'], len(TASKS) * lam * expected)
    total, _ = algorithm.parse_losses(losses)
    task_sum = sum(v for k, v in losses.items() if k.split('.')[0] in TASKS and 'loss' in k)
    torch.testing.assert_close(total, task_sum + len(TASKS) * lam * expected)
    # One task's forward (a per-task update) carries one resource term and its own loss only.
    one = algorithm(**data, mode='loss', tasks=['sal'])
    torch.testing.assert_close(one['loss_resource'], lam * expected)
    assert {k.split('.')[0] for k in one if '.' in k} == {'sal'}
    # Expected cost of the searchable layers lies between all-shared and all-separate.
    costs = algorithm.get_layer_costs().sum().item() / 1e6
    assert costs <= expected.item() <= len(TASKS) * costs


def test_flops_cost_table_drives_the_resource_term_and_the_export_stays_in_madds():
    from mmmtnas.models.branched.cost_table import supernet_layer_costs
    algorithm, _ = build(tasks=('seg', 'sal'), layer_costs=None, cost_metric='flops')
    flops = supernet_layer_costs(algorithm.supernet, (32, 32), metric='flops')
    madds = supernet_layer_costs(algorithm.supernet, (32, 32), metric='madds')
    assert algorithm.get_layer_costs().tolist() == flops
    exported = algorithm.export_architecture().madds['layer_costs']
    assert list(exported.values()) == madds


def test_larger_lambda_pushes_alpha_towards_sharing():
    shared_prob = []
    for lam in (0., 50.):
        algorithm, optim = build(tasks=('seg', 'sal'), resource_weight=lam)
        algorithm.train()
        for _ in range(3):
            algorithm.train_step(dict(arch=batch(('seg', 'sal'))), optim)
        probs = algorithm.arch_params.probs().detach()  # [L, T, T]
        # probability that both tasks take the same copy, averaged over layers
        shared_prob.append((probs[:, 0, :] * probs[:, 1, :]).sum(-1).mean().item())
    assert shared_prob[1] > shared_prob[0]


def test_larger_lambda_gives_a_cheaper_derived_network():
    """Warm-up, then 30 architecture steps on four fixed batches, for lambda = 0 and 5 (per
    MMAdd); the derived network of the larger lambda costs less (mmengine-counted blocks)."""
    costs = block_costs()
    data = [batch(('seg', 'sal'), n=2, size=32, seed=s) for s in range(4)]
    derived = {}
    for lam in (0., 5.):
        algorithm, optim = build(tasks=('seg', 'sal'), resource_weight=lam, layer_costs=costs,
                                 arch_lr=0.1)
        algorithm.train()
        for i in range(6):
            algorithm.train_step(dict(warmup=data[i % 4]), optim)
        for i in range(30):
            algorithm.supernet.temperature = 5.0 - 4.9 * i / 29
            algorithm.train_step(dict(arch=data[i % 4]), optim)
        derived[lam] = algorithm.export_architecture().madds['derived']
    assert derived[5.] < derived[0.]


def test_unknown_phase_and_non_supernet_encoder_are_rejected():
    algorithm, optim = build(tasks=('seg', ))
    with pytest.raises(ValueError, match='phase'):
        algorithm.set_phase('search')
    with pytest.raises(KeyError, match=r"phases from \['warmup', 'arch', 'weights'\]"):
        algorithm.train_step(dict(search=batch(('seg', ))), optim)
    cfg = search_cfg(tasks=('seg', ))
    cfg['model']['encoder'] = dict(type='mmmtnas.BranchedNetwork', structure='all_shared',
                                   backbone=dict(type='mmpretrain.MobileNetV2',
                                                 widen_factor=0.25))
    with pytest.raises(TypeError, match='BranchedSupernet'):
        MODELS.build(copy.deepcopy(cfg))


class _Recorder(Hook):
    """Records what the loop set up before each iteration and which phase it ran."""

    def __init__(self):
        self.rows = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        algorithm = runner.model
        bn = algorithm.supernet.block('layer3.1', 0).conv[0].bn
        self.rows.append(dict(
            data=sorted(data_batch),
            arch_state=len(runner.optim_wrapper['arch'].optimizer.state),
            bn_batches=int(bn.num_batches_tracked),
            tau=algorithm.supernet.temperature))

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.rows[-1].update(phase=runner.model.phase,
                             routing=runner.model.supernet.routing_mode)


def block_costs(size=32):
    """Per-layer MAdds of one block, each measured alone by mmengine on its input shape."""
    init_default_scope('mmmtnas')
    supernet = MODELS.build(search_cfg(tasks=('seg', ))['model']['encoder'] | dict(tasks=['a']))
    supernet.eval()
    shapes = supernet.layer_input_shapes((size, size))
    return [float(count_madds(supernet.block(n), torch.zeros(1, *shapes[n])))
            for n in supernet.layer_names]


def test_search_loop_runs_warmup_then_alternates_phases_and_exports(tmp_path):
    init_default_scope('mmmtnas')
    recorder = _Recorder()
    runner = Runner(**search_runner_cfg(
        str(tmp_path), custom_hooks=[recorder, dict(type='mmmtnas.ArchitectureExportHook')]))
    loop = runner.train_loop
    # 10 samples: 2 for the architecture (one batch per phase), 8 for the weights.
    sources = loop.dataloader
    assert len(sources['arch'].dataset) == 2 and len(sources['weights'].dataset) == 8
    assert len(sources['train'].dataset) == 10
    assert loop.max_iters == 2 + 2 * (1 + 2)
    runner.train()
    phases = [r['phase'] for r in recorder.rows]
    assert phases == ['warmup', 'warmup', 'arch', 'weights', 'weights', 'arch', 'weights',
                      'weights']
    assert [r['data'] for r in recorder.rows] == [[p] for p in phases]
    assert [r['routing'] for r in recorder.rows][:3] == ['identity', 'identity', 'gumbel']
    # arch optimiser state is fresh at each architecture phase (Adam state from the first
    # phase existed before the second one started)
    assert recorder.rows[2]['arch_state'] == 0 and recorder.rows[5]['arch_state'] == 0
    assert recorder.rows[3]['arch_state'] > 0
    # BN running statistics are reset when a weight phase follows an architecture phase
    assert recorder.rows[3]['bn_batches'] == 0 and recorder.rows[6]['bn_batches'] == 0
    assert recorder.rows[4]['bn_batches'] > 0
    # temperature: 5.0 through the warm-up, then decreasing linearly
    taus = [r['tau'] for r in recorder.rows]
    assert taus[:3] == [5.0, 5.0, 5.0] and taus[3] > taus[4] > taus[7] > 0.1
    assert not torch.equal(runner.model.arch_params.stacked(), torch.zeros(18, 2, 2))

    # export: branch file + picture; the derived network's MAdds, counted by mmengine on the
    # whole encoder at the search size (batch norm not counted, see branched/madds.py), are
    # the file's derived MAdds (from the cost table measured at the search size)
    path = tmp_path / 'branches.yaml'
    assert path.is_file() and (tmp_path / 'branches.png').is_file()
    branches = load_branch_file(str(path), tasks=['seg', 'sal'])
    assert list(branches.madds['layer_costs'].values()) == block_costs()
    assert branches.routing_matrix() == runner.model.arch_params.argmax_routing().tolist()
    network = MODELS.build(dict(type='mmmtnas.BranchedNetwork', tasks=['seg', 'sal'],
                                branches=str(path),
                                backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=0.25),
                                context=dict(type='mmmtnas.EncoderRASPP', channels=8))).eval()
    counted = count_madds(network, torch.zeros(1, 3, 32, 32))
    assert counted == branches.madds['derived']
    stem = branches.madds['stem']
    shared = stem + sum(branches.madds['layer_costs'].values())
    assert shared <= branches.madds['derived'] <= stem + 2 * (shared - stem)


def test_phase_schedule_counts_batches_of_each_dataloader():
    loop = BMTASPhaseSchedule(dict(warmup=5, arch=1, weights=1), warmup_iters=3,
                              max_arch_iters=10, arch_phase_iters=2, weight_phase_iters=4)
    assert [loop.phase_at(i)[0] for i in range(3, 10)] == ['arch'] * 2 + ['weights'] * 4 + [
        'arch']
    assert loop.max_iters == 3 + 5 * 6
    assert [loop.plan(i).block_start for i in (2, 3, 4, 5, 9)] == [
        None, 'arch', None, 'weights', 'arch']
    assert loop.batches_drawn(0) == dict(warmup=0, arch=0, weights=0)
    assert loop.batches_drawn(4) == dict(warmup=3, arch=1, weights=0)
    assert loop.batches_drawn(3 + 6 + 3) == dict(warmup=3, arch=4, weights=5)
    # every iteration draws from exactly one dataloader
    for i in range(30):
        a, b = loop.batches_drawn(i), loop.batches_drawn(i + 1)
        assert sum(b.values()) - sum(a.values()) == 1
        assert b[loop.phase_at(i)[0]] - a[loop.phase_at(i)[0]] == 1
