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
    r50_nyud_mt=dict(warmup=1000, arch_iters=4800, batch=8, search_crop=(283, 373),
                     resource_weight=0.003, backbone='mmpretrain.ResNet',
                     context='mmmtnas.EncoderASPP', train_iters=20000, crop=(425, 560),
                     input_size=(425, 560), num_tasks=4))


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
    assert (gumbel.start, gumbel.end, gumbel.by_cycle) == (5.0, 0.1, True)  # per epoch
    # the authors' code warms up on the 80% weight part
    assert schedule.warmup_source == 'weights'


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


IMAGENET = dict(
    mnv2_pascal_mt='https://download.openmmlab.com/mmclassification/v0/mobilenet_v2/'
                   'mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth',
    r50_nyud_mt='https://download.openmmlab.com/mmclassification/v0/resnet/'
                'resnet50_8xb32_in1k_20210831-ea4938fc.pth')


@pytest.mark.parametrize('method', sorted(PAPER))
def test_every_network_of_a_method_starts_from_mmpretrain_imagenet_weights(method, tmp_path):
    pipeline = _pipeline(f'{method}.py', tmp_path)
    encoders = [pipeline.stage_config(s).model.model.encoder if s == 'search' else
                pipeline.stage_config(s).model.encoder for s in STAGES]
    encoders += [Config.fromfile(osp.join(CONFIGS, f'{method}_{b}.py')).model.encoder
                 for b in ('shared', 'single')]
    for encoder in encoders:
        assert encoder.backbone.init_cfg == dict(type='Pretrained', checkpoint=IMAGENET[method],
                                                 prefix='backbone.')
        assert 'pretrained' not in encoder


def test_authors_networks_raspp_width_dropout_and_baselines():
    shared = Config.fromfile(osp.join(CONFIGS, 'mnv2_pascal_mt_shared.py'))
    single = Config.fromfile(osp.join(CONFIGS, 'mnv2_pascal_mt_single.py'))
    search = Config.fromfile(osp.join(CONFIGS, 'mnv2_pascal_mt_search.py'))
    assert (shared.model.encoder.structure, single.model.encoder.structure) == (
        'all_shared', 'all_separate')
    # R-ASPP and decoders 128 wide; dropout 0.1 in trained networks, none in the supergraph
    assert shared.model.encoder.context.channels == 128
    assert shared.model.head_defaults.channels == 128
    assert shared.model.encoder.context.dropout_ratio == 0.1
    assert search.model.model.encoder.context.get('dropout_ratio', 0.) == 0.


def test_toy_configs_use_no_checkpoint_but_the_toy_twin_a_local_stand_in(tmp_path):
    for name in ('toy_mnv2_pascal_shared.py', 'toy_mnv2_pascal_single.py'):
        assert Config.fromfile(osp.join(CONFIGS, name)).model.encoder.backbone.init_cfg is None
    pipeline = _pipeline('toy_mnv2_pascal.py', tmp_path)
    search = pipeline.stage_config('search')
    for encoder in (search.model.model.encoder, pipeline.stage_config('retrain').model.encoder):
        checkpoint = encoder.backbone.init_cfg.checkpoint
        assert checkpoint == 'data/toy_dense/stand_in_mobilenet_v2_w0.25.pth'
    # the twin inherits the real method: schedule, optimisers and hooks are the same
    real = _pipeline('mnv2_pascal_mt.py', tmp_path / 'real').stage_config('search')
    assert search.optim_wrapper.arch == real.optim_wrapper.arch
    assert search.custom_hooks == real.custom_hooks
    assert search.train_cfg.splits == real.train_cfg.splits


def test_search_weight_optimiser_is_the_papers_text_or_the_authors_code():
    authors = Config.fromfile(osp.join(CONFIGS, '_base_', 'search_optim_authors_code.py'))
    assert authors.optim_wrapper.weights.optimizer == dict(type='Adam', lr=1e-3,
                                                           weight_decay=1e-4)
    assert authors.param_scheduler.weights == []
    assert authors.optim_wrapper.arch.optimizer == dict(type='Adam', lr=0.01, weight_decay=5e-5)
    # the method configs say which one they use (the paper's text)
    for method in PAPER:
        text = open(osp.join(CONFIGS, f'{method}_search.py')).read()
        assert "'./_base_/search_schedule.py'" in text and 'search_optim_authors_code' in text
