"""Every row of the paper's Tables 1-3 as a toy config (``configs/mtnas/table*/*_toy.py``, the
proxy-task and random-search rows included) runs on the toy set at a tiny budget: every stage
a few iterations, then the test stage (mAP, mIoU, FLOPs, parameters); a plain runner (the
baselines) trains 2 iterations and validates. Stages a row shares with a run made before (same
config, same inputs) are copied from it, not run again (tests/fixtures/mtnas_toy_runs.py): the
common S1/S2a/S2b come from the session's shared run of ``ssd_fcn_toy.py``."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from mtnas_toy_runs import in_toy_root, shared_toy_run, stage_metrics
from repo_paths import REPO_ROOT

from mmmtnas.engine.runner import stage_files as sf
from mmmtnas.structures.genotype import load_genotype_file
from mmmtnas.utils.cli import is_pipeline
from mmmtnas.utils.config_text import unformatted_fromfile

TABLES = osp.join(REPO_ROOT, 'configs', 'mtnas')
ROWS = sorted(osp.relpath(p, TABLES) for p in glob.glob(osp.join(TABLES, 'table*', '*_toy.py')))


@pytest.fixture(scope='module')
def toy(tmp_path_factory):
    return shared_toy_run(tmp_path_factory)


def _state(path) -> dict:
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


def _check_without_branch_search(pipeline):
    # only the backbone is searched; the branches are the hand-crafted SSD extra layers + FCN
    assert set(load_genotype_file(pipeline.output('s2b', 'genotype'))) == {'backbone'}
    state = _state(pipeline.output('finetune', 'checkpoint'))
    assert any(k.startswith('det_neck.extra_layers.') for k in state)
    assert any(k.startswith('seg_head.upsamples.') or k.startswith('seg_head.') for k in state)
    assert not any('.cells.' in k for k in state if not k.startswith('backbone.'))


def _check_without_backbone_search(pipeline):
    assert 's2a' not in pipeline.stage_names and 's2b' not in pipeline.stage_names
    state = _state(pipeline.output('finetune', 'checkpoint'))
    assert 'backbone.layer1.0.conv1.weight' in state  # mmdet's ResNet-18
    model = pipeline.stage_config('finetune').model
    assert model.det_neck.genotype == pipeline.output('s1_det', 'genotype')


def _check_co_search(pipeline):
    assert pipeline.stage_names == ['s2b', 'finetune', 'test']
    parts = load_genotype_file(pipeline.output('s2b', 'genotype'))
    assert {'backbone', 'det_neck', 'seg_head'} <= set(parts)


def _check_ps_only(pipeline):
    model = pipeline.stage_config('finetune').model
    assert model.backbone.genotype == pipeline.output('s2a', 'genotype')
    assert stage_metrics(pipeline, 'finetune')['init']['cells'] > 0  # S2a's and S1's cell ops


def _check_bs_only(pipeline):
    assert 's2a' not in pipeline.stage_names
    assert not any('s2a' in str(s) for s in pipeline.spec('s2b')['init_from'])


ROW_CHECKS = {
    'without_branch_search_toy': _check_without_branch_search,
    'without_backbone_search_toy': _check_without_backbone_search,
    'pt_only_toy': _check_without_backbone_search,
    'co_search_toy': _check_co_search,
    'ps_only_toy': _check_ps_only,
    'bs_only_toy': _check_bs_only,
}


def _run_plain(path, work_dir, root) -> dict:
    """A baseline row: 2 iterations, then validation; its metrics."""
    cfg = unformatted_fromfile(path)  # as tools/train.py loads it
    cfg.merge_from_dict({'train_cfg.max_iters': 2, 'train_cfg.val_interval': 2,
                         'default_hooks.logger.interval': 1})
    cfg.work_dir = str(work_dir)
    with in_toy_root(root):
        runner = Runner.from_cfg(cfg)
        runner.train()
    scalars = runner.message_hub.log_scalars
    return {k[4:]: v.current() for k, v in scalars.items() if k.startswith('val/')}


@pytest.mark.parametrize('row', ROWS)
def test_paper_row_runs_every_stage_on_the_toy_set(row, toy):
    path = osp.join(TABLES, row)
    name = osp.splitext(osp.basename(row))[0]
    work_dir = toy['root'] / row.replace('/', '_')[:-3]
    if not is_pipeline(Config.fromfile(path)):
        metrics = _run_plain(path, work_dir, toy['root'])
        assert metrics and all(k.split('/')[0] in ('det', 'seg') for k in metrics
                               if '/' in k), metrics
        for key, value in metrics.items():
            if key.endswith(('mAP', 'mIoU')):
                assert 0. <= value <= 100., (key, value)
        return
    with in_toy_root(toy['root']):
        pipeline = toy['cache'].run(path, work_dir)
    for stage in pipeline.stage_names:
        assert sf.is_done(pipeline.stage_dir(stage)), stage
    tests = [s for s in pipeline.stage_names if pipeline.spec(s)['kind'] == 'test']
    assert tests, f'{row} has no test stage'
    metrics = stage_metrics(pipeline, tests[-1])
    assert 0. <= metrics['det/mAP'] <= 100. and 0. <= metrics['seg/mIoU'] <= 100., metrics
    profile = {k: v for k, v in metrics.items() if 'flops' in k.lower() or 'macs' in k.lower()}
    assert profile and all(v > 0 for v in profile.values() if isinstance(v, float)), metrics
    assert metrics['params_M'] > 0
    if name in ROW_CHECKS:
        ROW_CHECKS[name](pipeline)
