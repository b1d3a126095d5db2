"""TextCachedConfig: the pipeline stages' config formats its text once per content."""
import copy

import mmengine.config.config as mmengine_config
from mmengine.config import Config

from mmmtnas.engine.runner.text_cached_config import TextCachedConfig


def test_text_is_formatted_once_per_content_and_equals_mmengines(monkeypatch):
    calls = []
    format_code = mmengine_config.FormatCode

    def counting(*args, **kwargs):  # the real formatter, counted
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counting)
    content = dict(model=dict(type='M', depth=18), train_cfg=dict(max_iters=2))
    cfg = TextCachedConfig(copy.deepcopy(content))
    text = cfg.pretty_text
    assert text == Config(copy.deepcopy(content)).pretty_text
    assert len(calls) == 2
    runner_copy = copy.deepcopy(cfg)  # what mmengine's Runner keeps
    assert runner_copy.pretty_text == text and cfg.pretty_text == text and len(calls) == 2
    runner_copy.train_cfg.max_iters = 3  # a changed config is formatted again
    assert 'max_iters=3' in runner_copy.pretty_text and len(calls) == 3
    assert 'max_iters=2' in cfg.pretty_text and len(calls) == 3
