"""Configs whose text mmengine does not run yapf over.

A Runner asks for ``Config.pretty_text`` about six times (the log, the dumped config, the
visualizer's copy, the runtime-info hook, every checkpoint's meta), and mmengine formats the
text with yapf each time: tens of seconds per run for a driving config's class lists, most of
a short run's time. ``format_python_code=False`` keeps the same valid Python, one item a line.
"""
from mmengine.config import Config


def unformatted_fromfile(path: str) -> Config:
    """``Config.fromfile(path)`` with ``format_python_code=False``.

    mmengine 0.10's ``Config.fromfile`` hands its ``format_python_code`` argument on only for
    lazy-import configs, so the flag is set on the built config, as its ``__init__`` does.

    Args:
        path (str): The config file.

    Returns:
        Config: The config, its text unformatted.
    """
    cfg = Config.fromfile(path)
    object.__setattr__(cfg, '_format_python_code', False)
    return cfg
