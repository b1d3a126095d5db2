"""The MTNAS Table 1 comparison methods' toy configs (``configs/comparison/{pareto_mtl,
triplenet}/*_toy.py``) train through ``tools/train.py`` and test through ``tools/test.py`` on
the toy driving set (1 iteration, in-process)."""
import glob
import json
import os.path as osp
import runpy
import sys

import pytest
from repo_paths import REPO_ROOT

from mmmtnas.testing import make_toy_driving

CONFIGS = sorted(
    osp.relpath(p, REPO_ROOT) for method in ('pareto_mtl', 'triplenet')
    for p in glob.glob(osp.join(REPO_ROOT, 'configs', 'comparison', method, '*_toy.py')))
# 4 train + 2 val images per source at 64x128 (the configs resize them to 128x256)
TOY_DATA = dict(num_images=4, seed=3, size=(64, 128), crop_size=32)


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('comparison_toy')
    make_toy_driving(str(root / 'data' / 'toy_driving'), **TOY_DATA)
    return root


def _tool(monkeypatch, root, name, *args):
    monkeypatch.setattr(sys, 'argv', [f'{name}.py', *args])
    monkeypatch.chdir(root)  # the configs read data/toy_driving relative to the working dir
    runpy.run_path(osp.join(REPO_ROOT, 'tools', f'{name}.py'), run_name='__main__')


def test_both_methods_have_a_toy_config():
    assert {c.split('/')[2] for c in CONFIGS} == {'pareto_mtl', 'triplenet'}


@pytest.mark.parametrize('config', CONFIGS)
def test_toy_config_trains_and_tests(config, toy_root, monkeypatch):
    path = osp.join(REPO_ROOT, config)
    work_dir = toy_root / osp.splitext(osp.basename(config))[0]
    # a visualizer of its own: MMEngine keeps one instance per name in the process, and the
    # default one would write this run's scalars into the previous run's work dir
    own = f'visualizer.name=comparison_{osp.basename(config)}'
    _tool(monkeypatch, toy_root, 'train', path, '--work-dir', str(work_dir), '--cfg-options',
          'train_cfg.max_iters=1', 'train_cfg.val_begin=1000000',
          'default_hooks.logger.interval=1', 'train_dataloader.det.batch_size=2',
          'train_dataloader.seg.batch_size=2', own)
    checkpoint = work_dir / 'iter_1.pth'
    assert checkpoint.is_file()
    scalars = glob.glob(str(work_dir / '*' / 'vis_data' / 'scalars.json'))
    logged = json.loads(open(scalars[0]).readline())
    assert {'det.loss_cls', 'seg.loss_ce'} & set(logged)
    if 'pareto_mtl' in config:  # one step saw both tasks and weighed them
        assert {'det.loss_cls', 'seg.loss_ce', 'pareto_w_det', 'pareto_w_seg'} <= set(logged)
    out = work_dir / 'metrics.json'
    _tool(monkeypatch, toy_root, 'test', path, str(checkpoint), '--work-dir',
          str(work_dir / 'test'), '--out', str(out), '--cfg-options', f'{own}_test')
    metrics = json.loads(out.read_text())
    assert 0. <= metrics['det/mAP'] <= 100. and 0. <= metrics['seg/mIoU'] <= 100., metrics


def test_paper_setting_configs_keep_the_mtl_baseline_network_and_recipe():
    from mmengine.config import Config
    root = osp.join(REPO_ROOT, 'configs')
    baseline = Config.fromfile(osp.join(root, 'mtl_baseline', 'r18_fpn_ssd_fcn_mixed.py'))
    pareto = Config.fromfile(
        osp.join(root, 'comparison', 'pareto_mtl', 'r18_fpn_ssd_fcn_pareto_mixed.py'))
    assert pareto.model.type == 'mmmtnas.ParetoMTL'
    assert pareto.model.architecture.to_dict() == baseline.model.to_dict()
    assert pareto.train_cfg.type == 'mmmtnas.JointTaskTrainLoop'
    # two batches per iteration: half the iterations give each task the baseline's batches
    assert 2 * pareto.train_cfg.max_iters == baseline.train_cfg.max_iters
    assert pareto.param_scheduler[-1].T_max == pareto.train_cfg.max_iters
    assert pareto.optim_wrapper == baseline.optim_wrapper
    triple = Config.fromfile(
        osp.join(root, 'comparison', 'triplenet', 'r18_triplenet_ssd_mixed.py'))
    assert triple.model.type == 'mmmtnas.TripleNet'
    assert triple.train_cfg == baseline.train_cfg and triple.optim_wrapper == baseline.optim_wrapper
    assert triple.model.backbone.depth == 18 and triple.input_size == (320, 512)
    assert triple.model.det_head.anchor_generator == baseline.model.det_head.anchor_generator
