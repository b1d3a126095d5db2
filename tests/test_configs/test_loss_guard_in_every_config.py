"""Every config the project ships (and every training stage of every pipeline) stops at the
first non-finite loss: its default hooks hold mmmtnas.FiniteLossHook."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmmtnas.engine.runner import StagedPipeline
from repo_paths import REPO_ROOT

CONFIGS = sorted(p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '**', '*.py'),
                                      recursive=True) if '_base_' not in p)


def _training_configs(path):
    cfg = Config.fromfile(path)
    if 'stages' not in cfg:
        return {'': cfg}
    pipeline = StagedPipeline(cfg)
    return {name: pipeline.stage_config(name) for name in pipeline.stage_names
            if pipeline.spec(name)['kind'] != 'test'}


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: osp.relpath(p, REPO_ROOT))
def test_config_has_the_finite_loss_guard(path):
    configs = _training_configs(path)
    assert configs
    for stage, cfg in configs.items():
        hook = (cfg.get('default_hooks') or {}).get('finite_loss') or {}
        assert hook.get('type') == 'mmmtnas.FiniteLossHook', f'{path} {stage}'
