"""PlainTextConfig: the pipeline stages' config text without mmengine's yapf pass."""
import copy

import mmengine.config.config as mmengine_config
from mmengine.config import Config

from mmmtnas.engine.runner.plain_text_config import PlainTextConfig


def test_text_is_the_same_python_without_the_yapf_pass(monkeypatch):
    calls = []
    format_code = mmengine_config.FormatCode

    def counting(*args, **kwargs):  # the real formatter, counted
        calls.append(1)
        return format_code(*args, **kwargs)

    monkeypatch.setattr(mmengine_config, 'FormatCode', counting)
    content = dict(model=dict(type='M', depth=18, out_indices=(1, 2)),
                   stages=dict(s2b=dict(init_from=[dict(include=['backbone.'])])),
                   train_cfg=dict(max_iters=2))
    cfg = copy.deepcopy(PlainTextConfig(copy.deepcopy(content)))  # as mmengine's Runner keeps it
    text = cfg.pretty_text
    assert calls == [] and mmengine_config.FormatCode is counting  # no yapf, patch undone
    assert Config.fromstring(text, '.py').to_dict() == content
    assert Config.fromstring(Config(copy.deepcopy(content)).pretty_text, '.py').to_dict() == \
        content and calls == [1]  # a plain Config still formats
