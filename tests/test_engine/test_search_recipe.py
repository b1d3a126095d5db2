"""The PC-DARTS recipe of the MTNAS search stages (configs/mtnas/_base_/search_runtime.py) on a
tiny real DARTS search: cosine weight lr, alphas frozen before ``arch_begin_iter``; the stop
hooks ignore warm-up checks; SyncBN reaches every batch norm of a search supernet; the
finetune's inherited fraction is logged and right."""
import argparse
import math
import os.path as osp
import uuid

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.model import convert_sync_batchnorm
from mmengine.runner import Runner
from test_engine.test_bilevel_search_hooks import _skip_everywhere
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401
from tiny_darts_supernet import OPS, darts_search_cfg

from mmmtnas.engine.loops.search_schedules import (BilevelSchedule, SearchSchedule,
                                                   TaskRoundRobinSchedule, arch_begin)
from mmmtnas.engine.runner import InheritWeights, StagedPipeline
from mmmtnas.engine.runner import inherit_weights as inherit_module
from mmmtnas.models.nas import DartsBackbone, SearchableDartsBackbone
from mmmtnas.registry import MODELS
from mmmtnas.utils.cli import pipeline_options

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'mtnas')


def _recipe() -> dict:
    """The search stages' optimisers, schedulers and schedule, as the paper configs set them."""
    runtime = Config.fromfile(osp.abspath(osp.join(CONFIGS, '_base_', 'search_runtime.py')))
    return dict(optim_wrapper=runtime.optim_wrapper.to_dict(),
                param_scheduler=runtime.param_scheduler.to_dict(),
                schedule=runtime.train_cfg.schedule.to_dict())


def _search(tmp_path, max_iters, schedule, hooks, **kw) -> Runner:
    cfg = darts_search_cfg(str(tmp_path), max_iters=max_iters, custom_hooks=hooks, **kw)
    cfg['train_cfg'] = dict(type='mmmtnas.SearchLoop', max_iters=max_iters, schedule=schedule)
    return Runner(experiment_name=f'recipe-{uuid.uuid4().hex}', **cfg)


class _Record(Hook):
    """The weight lr each iteration runs with, and the alphas after it."""

    def __init__(self):
        self.lrs, self.alphas = [], []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.lrs.append(runner.optim_wrapper['weights'].optimizer.param_groups[0]['lr'])

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        self.alphas.append({k: v.detach().clone() for k, v in runner.model.arch_params.items()})


def test_recipe_anneals_the_weight_lr_by_cosine_and_freezes_alphas_in_the_warm_up(tmp_path):
    recipe, iters = _recipe(), 10
    assert recipe['schedule']['arch_begin_iter'] == 0.3  # PC-DARTS: 15 of 50 epochs
    record = _Record()
    runner = _search(tmp_path, iters, recipe['schedule'], [record],
                     optim_wrapper=recipe['optim_wrapper'],
                     param_scheduler=recipe['param_scheduler'])
    alphas0 = {k: v.detach().clone() for k, v in runner.model.arch_params.items()}
    runner.train()
    begin = runner.train_loop.search_begin_iter
    assert begin == 3 and runner.iter == iters
    # lr_i = eta_min + (lr_0 - eta_min) (1 + cos(pi i / T)) / 2, lr_0 = 0.1, eta_min = 0, T = 10
    for i, lr in enumerate(record.lrs):
        assert lr == pytest.approx(0.1 * (1 + math.cos(math.pi * i / iters)) / 2, rel=1e-9), i
    arch = runner.optim_wrapper['arch'].optimizer.param_groups[0]
    assert (arch['lr'], arch['betas'], arch['weight_decay']) == (6e-4, (0.5, 0.999), 1e-3)
    for i, alphas in enumerate(record.alphas):
        for name, value in alphas.items():
            # iteration i < begin runs no architecture step; iteration `begin` runs the first
            assert torch.equal(value, alphas0[name]) == (i < begin), (i, name)


def _stable_stop(patience):
    return dict(type='mmmtnas.ArchitectureStableStopHook', interval=1, patience=patience)


def _skip_stop():
    return dict(type='mmmtnas.SkipConnectStopHook', interval=1, max_skip_connects=2,
                parts=['backbone'])


@pytest.mark.parametrize('hook, stops_at', [
    # alphas never move (arch lr 0): checks 1-3 lie in the warm-up and only set the reference;
    # 4 and 5 are the 1st and 2nd unchanged checks (without the rule: stop at 3)
    (_stable_stop(2), 5),
    # 4 skip_connects from the start: the first check after the warm-up stops (without: 1)
    (_skip_stop(), 4),
], ids=['architecture_stable', 'skip_connect'])
def test_stop_hooks_do_not_count_checks_of_the_warm_up(tmp_path, hook, stops_at):
    runner = _search(tmp_path, 10, dict(type='bilevel', arch_begin_iter=3), [hook], arch_lr=0.)
    if hook['type'] == 'mmmtnas.SkipConnectStopHook':
        _skip_everywhere(runner)
    runner.train()
    assert runner.iter == stops_at
    if hook['type'] == 'mmmtnas.ArchitectureStableStopHook':
        assert runner.message_hub.get_scalar('train/arch_unchanged_checks').current() == 2


def test_arch_begin_iter_is_an_iteration_or_a_fraction_of_the_stage():
    assert [arch_begin(0.3, n) for n in (5000, 10000, 30, 40, 6)] == [1500, 3000, 9, 12, 2]
    assert arch_begin(7, 10) == 7 and arch_begin(0, 10) == 0
    for bad in (1.0, -0.1, -1, 11, True, '3'):
        with pytest.raises(ValueError, match='arch_begin_iter='):
            arch_begin(bad, 10)


@pytest.mark.parametrize('schedule', ['bilevel', 'task_round_robin'])
def test_warm_up_plans_weights_only_and_resume_positions_agree_with_the_plans(schedule):
    if schedule == 'bilevel':
        sched = BilevelSchedule(dict(train=3, val=2), max_iters=8, arch_begin_iter=0.5)
    else:
        sched = TaskRoundRobinSchedule({f'{t}.{s}': 3 for t in ('det', 'seg')
                                        for s in ('train', 'val')}, max_iters=8,
                                       arch_begin_iter=0.5)
    assert sched.search_begin_iter == 4
    for i in range(8):
        phases = [phase for phase, _ in sched.plan(i).steps]
        assert phases == (['weights'] if i < 4 else ['arch', 'weights']), i
    if schedule == 'task_round_robin':
        assert [sched.plan(i).task for i in range(8)] == ['det', 'seg'] * 4
    for i in range(9):  # the closed form a resumed run uses == counting the plans' steps
        assert sched.batches_drawn(i) == SearchSchedule.batches_drawn(sched, i), i


def test_distributed_search_stages_use_syncbn_and_every_bn_of_the_supernet_is_synced(
        tmp_path, monkeypatch):
    def stages(name, **options):
        cfg = Config.fromfile(osp.abspath(osp.join(CONFIGS, name)))
        cfg.merge_from_dict(dict(work_dir=str(tmp_path), launcher='pytorch', **options))
        return StagedPipeline.from_cfg(cfg)

    with monkeypatch.context() as gpu:
        gpu.setattr(torch.cuda, 'is_available', lambda: True)
        pipeline = stages('ssd_fcn_mixed.py')
        for name in ('s1_det', 's1_seg', 's2a', 's2b', 'finetune'):
            assert pipeline.stage_config(name).sync_bn == 'torch', name
    assert 'sync_bn' not in stages('ssd_fcn_mixed.py').stage_config('s2b')  # CPU: plain BN
    # what Runner.wrap_model does to a DDP model with sync_bn='torch', on the toy S2b supernet
    model = convert_sync_batchnorm(
        MODELS.build(stages('ssd_fcn_toy.py').stage_config('s2b').model), 'torch')
    synced = {n: m for n, m in model.named_modules() if isinstance(m, nn.SyncBatchNorm)}
    assert len(synced) > 100 and not any(
        isinstance(m, nn.modules.batchnorm._BatchNorm) and not isinstance(m, nn.SyncBatchNorm)
        for m in model.modules())
    ran = set()
    for name, module in synced.items():
        module.register_forward_hook(lambda m, i, o, name=name: ran.add(name))
    model.train()
    model.supernet(torch.randn(2, 3, 64, 64), mode='tensor')
    # every mixed-edge op, stem and head BN the search runs is a SyncBN (none kept a plain BN)
    assert ran == set(synced)


class _TwoLayers(nn.Module):

    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(4, 3), nn.Linear(3, 2)  # 15 and 8 parameters


def _messages(monkeypatch):
    logged = []
    monkeypatch.setattr(inherit_module, 'print_log', lambda msg, **kw: logged.append(msg))
    return logged


def test_inherited_fraction_of_parameters_is_reported_and_logged(tmp_path, monkeypatch):
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=_TwoLayers().state_dict()), path)
    logged = _messages(monkeypatch)
    report = InheritWeights([dict(checkpoint=path, include=['a.'])])(
        _TwoLayers(), str(tmp_path / 'init.pth'), where='stage finetune')
    assert report == dict(offered=2, mapped=2, cells=0, dropped=0, params=23,
                          params_inherited=15, cell_params_inherited=0,
                          param_fraction=round(15 / 23, 4), partial_channel_parts=[])
    assert '15 of 23 parameters (65.2 %; cell ops 0)' in logged[0]


LAYOUT = dict(num_nodes=2, multiplier=2, channels=4, num_cells=2, reduction_cells=(1, ),
              stem_multiplier=1)


def test_a_pc_darts_search_leaves_the_cell_ops_uninherited_and_says_so(tmp_path, monkeypatch):
    supernet = SearchableDartsBackbone(op_names=OPS, partial_k=4, **LAYOUT)
    path = str(tmp_path / 'search.pth')
    torch.save(dict(state_dict={f'supernet.backbone.{k}': v
                                for k, v in supernet.state_dict().items()}), path)
    derived = nn.Module()
    derived.backbone = DartsBackbone(genotype=supernet.derive_genotype(), affine=False,
                                     pool_bn=True, **{k: v for k, v in LAYOUT.items()
                                                      if k not in ('num_nodes', 'multiplier')})
    cells_of = dict(supernet=dict(backbone=dict(op_names=OPS, partial_k=4)))
    logged = _messages(monkeypatch)
    report = InheritWeights([dict(checkpoint=path, include=['supernet.'],
                                  rename={'supernet.': ''}, strict=False,
                                  cells_of=cells_of)])(derived, str(tmp_path / 'init.pth'))
    assert report['cells'] == report['cell_params_inherited'] == 0
    assert report['partial_channel_parts'] == ['backbone (K=4)']
    # stems and cell pre-processing: every parameter outside the cells' ops
    outside = sum(p.numel() for k, p in derived.named_parameters() if '.ops.' not in k)
    total = sum(p.numel() for p in derived.parameters())
    assert 0 < outside < total
    assert (report['params_inherited'], report['params']) == (outside, total)
    assert 'backbone (K=4) searched with partial channels' in logged[0]
    assert 'no cell op weight is inherited' in logged[0]


def test_finetune_from_scratch_is_one_cfg_option(tmp_path):
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    options = parser.parse_args(['--cfg-options', 'stages.finetune.init_from=None']).cfg_options
    cfg = Config.fromfile(osp.abspath(osp.join(CONFIGS, 'ssd_fcn_mixed.py')))
    assert StagedPipeline.from_cfg(cfg).spec('finetune')['init_from']  # inherits by default
    cfg.merge_from_dict(pipeline_options(cfg, options))
    cfg.work_dir = str(tmp_path)
    assert StagedPipeline.from_cfg(cfg).spec('finetune').get('init_from') is None


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
