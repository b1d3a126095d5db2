"""A Config whose text skips mmengine's yapf pass.

mmengine's ``Config.pretty_text`` writes the config as Python, one item a line, then runs yapf
over it on every call, and a Runner asks for it about six times per run (the log, the dumped
config, the visualizer's copy, the runtime-info hook, every checkpoint's meta). For an MTNAS
stage config the yapf pass takes seconds (2.6 s for a toy finetune stage's 2,600 lines on an
idle core, against 4 ms for the text itself) and was most of a short stage's time on a busy CPU
(a 2-iteration toy finetune: 137 of 148 s under load). The text without it is the same valid
Python, one item a line.
"""
import mmengine.config.config as mmengine_config
from mmengine.config import Config


def _unformatted(text: str, **kwargs):
    """yapf's ``FormatCode`` signature, leaving the text as it is."""
    return text, False


class PlainTextConfig(Config):
    """:class:`mmengine.config.Config` whose ``pretty_text`` is mmengine's text without the
    yapf pass (every other Config formats as before)."""

    @property
    def pretty_text(self) -> str:
        """The config as Python text, one item a line."""
        format_code = mmengine_config.FormatCode
        mmengine_config.FormatCode = _unformatted
        try:
            return super().pretty_text
        finally:
            mmengine_config.FormatCode = format_code
