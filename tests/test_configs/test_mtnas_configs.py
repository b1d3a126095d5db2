"""The MTNAS pipeline configs: paper hyper-parameters, the toy and single variants on `_base_`,
and a one-line error without data."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmmtnas.datasets.driving.data_paths import DataRootNotFoundError
from mmmtnas.engine.runner import StagedPipeline

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'mtnas')
STAGES = ['s1_det', 's1_seg', 's2a', 's2b', 'finetune', 'test']


def _pipeline(name, tmp_path):
    cfg = Config.fromfile(osp.abspath(osp.join(CONFIGS, name)))
    cfg.work_dir = str(tmp_path)
    return StagedPipeline.from_cfg(cfg)


@pytest.mark.parametrize('name', ['ssd_fcn_mixed.py', 'ssd_fcn_single.py'])
def test_paper_configs_carry_the_paper_search_settings(name, tmp_path):
    pipeline = _pipeline(name, tmp_path)
    assert pipeline.stage_names == STAGES
    s1 = [pipeline.stage_config(s) for s in ('s1_det', 's1_seg')]
    s2a, s2b = pipeline.stage_config('s2a'), pipeline.stage_config('s2b')
    for cfg in s1:
        assert cfg.train_cfg.max_iters == 5000  # per branch
        assert cfg.train_dataloader.train.batch_size == 32
        assert cfg.optim_wrapper.weights.optimizer.lr == 0.1
        stop = [h for h in cfg.custom_hooks if h.type == 'mmmtnas.ArchitectureStableStopHook']
        assert stop[0].patience == 10  # K
    assert s2b.train_cfg.max_iters == 10000 and s2b.train_cfg.type == 'mmmtnas.SearchLoop'
    assert s2b.train_cfg.schedule.type == 'task_round_robin'
    assert s2b.model.supernet.backbone.partial_k == 4  # PC-DARTS on
    assert s2b.model.frozen_arch == ['det_neck.', 'seg_head.']
    skip = [h for h in s2a.custom_hooks if h.type == 'mmmtnas.SkipConnectStopHook']
    assert skip[0].max_skip_connects == 2  # T
    assert s2a.model.supernet.head.type == 'mmpretrain.LinearClsHead'
    assert pipeline.spec('test')['input_size'] == (320, 512)


def test_mixed_config_without_data_fails_at_once_naming_the_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/ here
    pipeline = _pipeline('ssd_fcn_mixed.py', tmp_path / 'work')
    with pytest.raises(DataRootNotFoundError) as info:
        pipeline.train()
    message = str(info.value)
    assert '\n' not in message
    assert "data root 'data/bdd100k/'" in message
    assert 'docs/data_preparation.md' in message and 'make demo' in message
    assert not osp.exists(tmp_path / 'work' / 's1_det')  # nothing started


def test_configs_stay_on_base_and_short():
    files = glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
    lines = 0
    for path in files:
        with open(path) as f:
            text = f.read()
        lines += text.count('\n')
        assert 'default_hooks = dict(\n    timer=' not in text  # no inline default_runtime
    assert lines < 600


def test_toy_config_keeps_the_toy_stage_settings(tmp_path):
    pipeline = _pipeline('ssd_fcn_toy.py', tmp_path)
    cfgs = {name: pipeline.stage_config(name) for name in STAGES}
    assert [cfgs[s].train_cfg.max_iters for s in STAGES[:5]] == [30, 30, 30, 40, 600]
    s1 = cfgs['s1_det']
    assert s1.model.supernet.backbone.num_nodes == 2 and s1.model.supernet.backbone.channels == 4
    assert s1.model.supernet.det_head.in_channels == (8, 16, 32, 32)
    assert s1.train_dataloader.train.batch_size == 4
    assert s1.train_dataloader.train.num_workers == 0
    assert s1.optim_wrapper.arch.optimizer.lr == 3e-3
    data = s1.train_dataloader.val.dataset
    assert data.split == 'val' and data.dataset.datasets[0].dataset.data_root == \
        'data/toy_driving/bdd100k/'
    s2a = cfgs['s2a']
    assert s2a.train_dataloader.train.batch_size == 8 and s2a.train_cfg.val_interval == 30
    assert s2a.val_dataloader.dataset.dataset.data_root == 'data/toy_driving/imagenet/'
    assert s2a.model.supernet.head.num_classes == 4
    assert cfgs['s2b'].train_dataloader.seg.val.dataset.split == 'val'
    ft = cfgs['finetune']
    assert ft.optim_wrapper.optimizer.lr == 0.05 and ft.model.backbone.num_cells == 3
    assert 'toy_driving' in ft.test_dataloader.det.dataset.datasets[0].dataset.data_root
    assert pipeline.spec('test')['input_size'] == (128, 256)


def test_single_config_reads_the_single_set(tmp_path):
    pipeline = _pipeline('ssd_fcn_single.py', tmp_path)
    s1_det, ft = pipeline.stage_config('s1_det'), pipeline.stage_config('finetune')
    assert s1_det.model.supernet.det_head.num_classes == 3
    assert s1_det.train_dataloader.train.dataset.dataset.type == 'mmmtnas.Kitti2DDataset'
    assert s1_det.train_dataloader.train.batch_size == 32  # the paper's search settings
    assert ft.model.seg_head.num_classes == 19 and ft.model.det_head.num_classes == 3
    assert 'kitti' in str(ft.test_dataloader.det.dataset) and 'bdd100k' not in str(
        ft.train_dataloader)


@pytest.mark.parametrize('name', ['ssd_fcn_toy.py'] + sorted(
    osp.relpath(p, CONFIGS) for p in glob.glob(osp.join(CONFIGS, 'ablations', 'ssd_fcn_*.py'))))
def test_toy_and_ablation_pipelines_compose_every_stage(name, tmp_path):
    pipeline = _pipeline(name, tmp_path)
    cfgs = {stage: pipeline.stage_config(stage) for stage in pipeline.stage_names}
    if name.endswith('without_backbone_search.py'):
        model = cfgs['finetune'].model
        assert model.backbone.type == 'mmdet.ResNet' and 'genotype' not in model.backbone
        assert model.det_neck.genotype == pipeline.output('s1_det', 'genotype')
        assert model.seg_head.genotype == pipeline.output('s1_seg', 'genotype')
