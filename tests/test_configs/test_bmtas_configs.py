"""The BMTAS configs: every file and every pipeline stage loads, the pipelines read the branch
file the search stage writes (no fixed path), and the paper settings (App. A) are in place."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.registry import MODELS
from repo_paths import REPO_ROOT

CONFIGS = osp.join(REPO_ROOT, 'configs', 'bmtas')
FILES = sorted(glob.glob(osp.join(CONFIGS, '*.py')) +
               glob.glob(osp.join(CONFIGS, '_base_', '*.py')))
PIPELINES = ['mnv2_pascal_mt.py', 'r50_nyud_mt.py', 'toy_mnv2_pascal.py']
STAGES = ['search', 'retrain', 'test']


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def _values(value, key):
    """Every value of ``key`` in a nested config."""
    if isinstance(value, dict):
        for k, item in value.items():
            if k == key:
                yield item
            yield from _values(item, key)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _values(item, key)


def _pipeline(name, tmp_path):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    cfg.work_dir = str(tmp_path)
    return StagedPipeline.from_cfg(cfg)


def _hook(cfg, name):
    return [h for h in cfg.custom_hooks if h.type.endswith(name)]


@pytest.mark.parametrize('path', FILES, ids=lambda p: osp.relpath(p, CONFIGS))
def test_every_config_loads_and_writes_nothing_to_a_fixed_folder(path):
    cfg = Config.fromfile(path)
    # The Δm baseline is the Single run's output, an input of these runs, not something they
    # write; every other path of a run is relative to its work dir.
    fixed = [s for s in _strings(cfg.to_dict())
             if 'work_dirs' in s and not s.endswith('single_metrics.json')]
    assert not fixed


@pytest.mark.parametrize('name', PIPELINES)
def test_pipeline_stages_load_and_retrain_the_search_stage_branch_file(name, tmp_path):
    pipeline = _pipeline(name, tmp_path)
    assert pipeline.stage_names == STAGES
    branch_file = str(tmp_path / 'search' / 'branches.yaml')
    assert pipeline.output('search', 'branches') == branch_file
    search = pipeline.stage_config('search')
    assert search.model.type == 'mmmtnas.BMTASSearch'
    assert search.work_dir == str(tmp_path / 'search')
    # the export hook writes the file the pipeline declares as the search's output
    export = _hook(search, 'ExportHook')
    assert len(export) == 1 and 'branches.yaml' in _strings(export[0].to_dict())
    for stage in ('retrain', 'test'):
        cfg = pipeline.stage_config(stage)
        assert cfg.model.encoder.type == 'mmmtnas.BranchedNetwork'
        assert cfg.model.encoder.branches == branch_file
        assert cfg.work_dir == str(tmp_path / stage)
    assert pipeline.spec('search')['kind'] == 'search'
    assert pipeline.spec('retrain')['kind'] == 'train'
    test = pipeline.spec('test')
    assert test['kind'] == 'test'
    assert test['checkpoint'] == str(tmp_path / 'retrain' / 'checkpoint.pth')


def test_retrain_config_alone_says_it_needs_a_branch_file():
    cfg = Config.fromfile(osp.join(CONFIGS, 'toy_mnv2_retrain.py'))
    init_default_scope('mmmtnas')
    with pytest.raises(ValueError, match='branches=<branch file>'):
        MODELS.build(cfg.model)


PAPER = dict(
    mnv2_pascal_mt=dict(warmup=2000, arch_iters=9600, batch=16, search_crop=(256, 256),
                        resource_weight=0.05, backbone='mmpretrain.MobileNetV2',
                        context='mmmtnas.EncoderRASPP', train_iters=40000, crop=(512, 512),
                        input_size=(512, 512), num_tasks=5),
    r50_nyud_mt=dict(warmup=1000, arch_iters=4800, batch=8, search_crop=(320, 426),
                     resource_weight=0.003, backbone='mmpretrain.ResNet',
                     context='mmmtnas.EncoderASPP', train_iters=20000, crop=(480, 640),
                     input_size=(480, 640), num_tasks=4))


@pytest.mark.parametrize('method', sorted(PAPER))
def test_paper_scale_search_settings(method, tmp_path):
    paper = PAPER[method]
    search = _pipeline(f'{method}.py', tmp_path).stage_config('search')
    schedule = search.train_cfg.schedule
    assert (schedule.warmup_iters, schedule.max_arch_iters) == (paper['warmup'],
                                                                paper['arch_iters'])
    # 80% of the training split for the weights, 20% for alpha
    assert set(_values(search.to_dict(), 'fraction')) == {0.8}
    assert set(_values(search.train_dataloader.to_dict(), 'batch_size')) == {paper['batch']}
    crops = [tuple(c) for c in _values(search.train_dataloader.to_dict(), 'crop_size')]
    assert crops and set(crops) == {paper['search_crop']}
    model = search.model
    # lambda as in the paper: per task, the authors' FLOPs (GFLOPs) at full resolution, their
    # recursion
    assert model.resource_weight == paper['resource_weight'] and model.cost_unit == 1e9
    assert model.get('update', 'per_task') == 'per_task' and model.cost_metric == 'flops'
    assert tuple(model.cost_input_size) == paper['input_size']
    assert model.resource_loss == dict(type='mmmtnas.ResourceLoss', mode='paper')
    encoder = model.model.encoder
    assert encoder.type == 'mmmtnas.BranchedSupernet'
    assert (encoder.backbone.type, encoder.context.type) == (paper['backbone'], paper['context'])
    assert encoder.output_stride == 16 and encoder.last_bn_affine is False
    assert len(model.model.heads) == paper['num_tasks']
    assert search.optim_wrapper.weights.optimizer == dict(type='SGD', lr=0.005, momentum=0.9,
                                                          weight_decay=1e-4)
    assert search.optim_wrapper.arch.optimizer == dict(type='Adam', lr=0.01, weight_decay=5e-5)
    poly = search.param_scheduler.weights[0]
    assert (poly.type, poly.power, poly.eta_min) == ('PolyLR', 0.9, 0.0)
    gumbel = _hook(search, 'GumbelTemperatureHook')[0]
    assert (gumbel.start, gumbel.end) == (5.0, 0.1)


@pytest.mark.parametrize('method', sorted(PAPER))
def test_paper_scale_retrain_and_shared_settings(method, tmp_path):
    paper = PAPER[method]
    pipeline = _pipeline(f'{method}.py', tmp_path)
    shared = Config.fromfile(osp.join(CONFIGS, f'{method}_shared.py'))
    retrain = pipeline.stage_config('retrain')
    for cfg in (retrain, shared):
        assert cfg.train_cfg.max_iters == paper['train_iters']
        assert cfg.optim_wrapper.optimizer == dict(type='SGD', lr=0.005, momentum=0.9,
                                                   weight_decay=1e-4)
        poly = cfg.param_scheduler[0]
        assert (poly.type, poly.power, poly.eta_min, poly.by_epoch) == ('PolyLR', 0.9, 0.0,
                                                                        False)
        # `end` is left to the runner: the whole run
        assert poly.get('end') in (None, paper['train_iters'])
        assert cfg.train_dataloader.batch_size == paper['batch']
        crops = [tuple(c) for c in _values(cfg.train_dataloader.to_dict(), 'crop_size')]
        assert set(crops) == {paper['crop']}
        assert len(cfg.model.heads) == paper['num_tasks']
    assert retrain.optim_wrapper.constructor == 'mmmtnas.SharedBlockLRConstructor'
    assert 'constructor' not in shared.optim_wrapper
    encoder = retrain.model.encoder
    assert (encoder.backbone.type, encoder.context.type) == (paper['backbone'], paper['context'])
    assert tuple(pipeline.spec('test')['input_size']) == paper['input_size']
