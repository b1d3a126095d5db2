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
    assert "data root 'data/'" in message
    assert 'docs/data_preparation.md' in message and 'make demo' in message
    assert not osp.exists(tmp_path / 'work' / 's1_det')  # nothing started


def test_configs_stay_on_base_and_short():
    files = glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True)
    lines = dict(pipelines=0, tables=0)
    for path in files:
        with open(path) as f:
            text = f.read()
        assert 'default_hooks = dict(\n    timer=' not in text  # no inline default_runtime
        table = osp.relpath(path, CONFIGS).startswith('table')
        lines['tables' if table else 'pipelines'] += text.count('\n')
        if table:  # a row is its pipeline's few changes, its shared parts in table*/_base_/
            assert text.count('\n') <= (20 if '_base_' in path else 15), path
    # the pipelines, their stages and search spaces (MTNAS, the proxy searches) as before; the
    # paper's rows (Tables 1-3, about 60 files: mixed / single rows and their toy twins)
    assert lines['pipelines'] < 600 and lines['tables'] < 350, lines


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
    assert data.split == 'val' and data.dataset.split_file == 'splits/det_train.txt'
    assert data.dataset.dataset.datasets[0].dataset.data_root == 'data/toy_driving/bdd100k/'
    s2a = cfgs['s2a']
    assert s2a.train_dataloader.train.batch_size == 8 and s2a.train_cfg.val_interval == 30
    assert s2a.val_dataloader.dataset.dataset.data_root == 'data/toy_driving/imagenet/'
    assert s2a.model.supernet.head.num_classes == 4
    assert cfgs['s2b'].train_dataloader.seg.val.dataset.split == 'val'
    ft = cfgs['finetune']
    assert ft.optim_wrapper.optimizer.lr == 0.05 and ft.model.backbone.num_cells == 3
    assert ft.test_dataloader.det.dataset.split_file == 'splits/det_test.txt'
    assert 'toy_driving' in ft.test_dataloader.det.dataset.dataset.datasets[0].dataset.data_root
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


def _row(pipeline, stage):
    return pipeline.stage_config(stage).model


# What each paper-scale row changes, checked on its composed stage configs (the toy twins run
# in tests/test_configs/test_paper_rows.py).
ROW_CHECKS = {
    'table1/co_search_mixed.py': lambda p: (
        p.stage_names == ['s2b', 'finetune', 'test'] and p.spec('s2b')['init_from'] == []
        and _row(p, 's2b').frozen_arch == []
        and p.stage_config('s2b').train_dataloader.det.train.batch_size == 2),
    'table1/without_branch_search_mixed.py': lambda p: (
        p.stage_names == ['s2a', 's2b', 'finetune', 'test']
        and _row(p, 's2a').frozen_arch == ['backbone.']  # ImageNet pre-training (†)
        and _row(p, 's2b').supernet.det_neck.type == 'mmdet.SSDNeck'
        and _row(p, 's2b').supernet.seg_head.type == 'mmmtnas.UpsampleFCNHead'
        and _row(p, 'finetune').det_neck.type == 'mmdet.SSDNeck'
        and 'genotype' not in _row(p, 'test').seg_head
        and _row(p, 'finetune').backbone.genotype == p.output('s2b', 'genotype')),
    'table1/without_backbone_search_mixed.py': lambda p: (
        _row(p, 'finetune').backbone.type == 'mmdet.ResNet'
        and _row(p, 'test').backbone.init_cfg.checkpoint == 'torchvision://resnet18'
        and _row(p, 'finetune').det_head.in_channels[:3] == (128, 256, 512)
        and _row(p, 'finetune').seg_head.genotype == p.output('s1_seg', 'genotype')),
    'table1/ours_dagger_mixed.py': lambda p: (
        _row(p, 's2a').type == 'mmmtnas.PartiallyFrozenSearch'
        and not any('SkipConnect' in h.type for h in p.stage_config('s2a').custom_hooks)),
    'table2/bs_only_mixed.py': lambda p: (
        's2a' not in p.stage_names and len(p.spec('s2b')['init_from']) == 4
        and not any('s2a' in str(s) for s in p.spec('s2b')['init_from'])),
    'table2/ps_only_mixed.py': lambda p: (
        's2b' not in p.stage_names
        and _row(p, 'finetune').backbone.genotype == p.output('s2a', 'genotype')
        and _row(p, 'test').det_neck.genotype == p.output('s1_det', 'genotype')
        and [s['inherit_cells_from'] for s in p.spec('finetune')['init_from']] == [
            's1_det', 's1_seg', 's2a']),
    'table3/mtnas_single.py': lambda p: _row(p, 'finetune').det_head.num_classes == 3,
}
# Rows that are another config as it is (a `_base_` and a work_dir): row -> the config.
SAME_AS = {
    'table1/ours_star_mixed.py': 'ssd_fcn_mixed.py',
    'table2/ps_bs_mixed.py': 'ssd_fcn_mixed.py',
    'table2/pt_bs_mixed.py': 'table1/ours_dagger_mixed.py',
    'table2/pt_only_mixed.py': 'table1/without_backbone_search_mixed.py',
    'table3/mtnas_single.py': 'ssd_fcn_single.py',
    'table1/ssd_r18_mixed.py': '../mtl_baseline/ssd_r18_mixed.py',
    'table1/fcn_r18_mixed.py': '../mtl_baseline/fcn_r18_mixed.py',
    'table1/mtl_baseline_mixed.py': '../mtl_baseline/r18_fpn_ssd_fcn_mixed.py',
    'table3/ssd_r18_single.py': '../mtl_baseline/ssd_r18_single.py',
    'table3/fcn_r18_single.py': '../mtl_baseline/fcn_r18_single.py',
}


def _without_work_dir(name):
    cfg = Config.fromfile(osp.join(CONFIGS, name)).to_dict()
    cfg.pop('work_dir', None)
    return cfg


@pytest.mark.parametrize('name', sorted(set(ROW_CHECKS) | set(SAME_AS)))
def test_paper_scale_rows_compose_and_change_what_their_row_says(name, tmp_path):
    if name in SAME_AS:
        assert _without_work_dir(name) == _without_work_dir(SAME_AS[name])
    if name in ROW_CHECKS:
        pipeline = _pipeline(name, tmp_path)
        for stage in pipeline.stage_names:
            pipeline.stage_config(stage)
        assert ROW_CHECKS[name](pipeline)


def test_every_paper_row_has_a_toy_twin():
    rows = {osp.relpath(p, CONFIGS) for p in glob.glob(osp.join(CONFIGS, 'table*', '*.py'))}
    for row in rows:
        scale = 'mixed' if row.endswith('_mixed.py') else 'single' if row.endswith(
            '_single.py') else 'toy'
        if scale != 'toy':
            assert row[:-len(f'{scale}.py')].rstrip('_') + (
                '_single_toy.py' if scale == 'single' else '_toy.py') in rows, row
    assert len([r for r in rows if r.endswith('_toy.py')]) >= 23  # Tables 1 (15), 2 (5), 3 (3)
