"""The MTNAS pipeline configs: paper hyper-parameters, and a one-line error without data."""
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
    assert s2b.train_cfg.max_iters == 10000 and s2b.train_cfg.type == \
        'mmmtnas.AlternatingTaskSearchLoop'
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
