"""A Config that formats its text once per content.

mmengine's ``Config.pretty_text`` runs yapf over the whole config on every call, and a Runner
asks for it about six times per run (the log, the dumped config, the visualizer's copy, the
runtime-info hook, every checkpoint's meta): for an MTNAS stage config that is most of a short
stage's time on a busy CPU (a 2-iteration finetune on the toy set: 137 of 148 s under load).
"""
from mmengine.config import Config


class TextCachedConfig(Config):
    """:class:`mmengine.config.Config` whose ``pretty_text`` is formatted once and reused
    while the content (``repr`` of the dict) is unchanged; deep copies (the Runner's) keep it.
    """

    @property
    def pretty_text(self) -> str:
        """The formatted config text (see :attr:`mmengine.config.Config.pretty_text`)."""
        key = repr(self._cfg_dict.to_dict())
        cached = self.__dict__.get('_pretty_text_cache')
        if cached is None or cached[0] != key:
            cached = (key, super().pretty_text)
            # Config.__setattr__ writes into the config's dict; this is the object's own
            object.__setattr__(self, '_pretty_text_cache', cached)
        return cached[1]
