"""The tools and the pipeline's stages load configs without mmengine's yapf pass over the
config text (``format_python_code=False``): the text is the same Python, unformatted."""
import copy
import os.path as osp

import mmengine.config.config as mmengine_config
from mmengine.config import Config

from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.utils.cli import load_config
from repo_paths import REPO_ROOT

TOY = osp.join(REPO_ROOT, 'configs', 'mtl_baseline', 'r18_fpn_ssd_fcn_toy.py')
PIPELINE = osp.join(REPO_ROOT, 'configs', 'mtnas', 'ssd_fcn_toy.py')


def _counted_formatter(monkeypatch) -> list:
    calls = []
    format_code = mmengine_config.FormatCode

    def counting(*args, **kwargs):  # the real formatter, counted
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counting)
    return calls


def test_tool_config_text_is_the_same_python_without_yapf(monkeypatch):
    calls = _counted_formatter(monkeypatch)
    cfg = load_config(TOY, {'train_cfg.max_iters': 3})
    kept = copy.deepcopy(cfg)  # as mmengine's Runner keeps it
    text = kept.pretty_text
    assert calls == []
    assert Config.fromstring(text, '.py').to_dict() == cfg.to_dict()
    assert kept.train_cfg.max_iters == 3
    Config(dict(a=1)).pretty_text  # mmengine's default still formats
    assert calls == [1]


def test_pipeline_stage_config_text_skips_yapf_too(monkeypatch, tmp_path):
    calls = _counted_formatter(monkeypatch)
    pipeline = load_config(PIPELINE)
    pipeline.work_dir = str(tmp_path)
    runner = StagedPipeline.from_cfg(pipeline)
    stage = copy.deepcopy(runner.stage_config('finetune'))
    assert Config.fromstring(stage.pretty_text, '.py').to_dict() == stage.to_dict()
    assert calls == []
