"""Placeholders in pipeline stage configs: ``{work_dir}`` and ``{stages.<name>.<output>}``.

Every string of a stage's spec, overrides and config may name the pipeline's work dir or a
named output of a stage (resolved to its absolute path). A reference to another stage's output
is an *input* of the referring stage: the pipeline checks that the file exists before the
stage starts.
"""
import re
from typing import Callable, List, Mapping, Tuple

from mmengine.config import ConfigDict

WORK_DIR = '{work_dir}'
STAGE_OUTPUT = re.compile(r'\{stages\.([^.{}]+)\.([^.{}]+)\}')

# (stage, output) named by a placeholder
Reference = Tuple[str, str]


def map_strings(value, fn: Callable[[str], str]):
    """Apply ``fn`` to every string of a nested dict / list / tuple (types kept)."""
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, ConfigDict):
        return ConfigDict({k: map_strings(v, fn) for k, v in value.items()})
    if isinstance(value, dict):
        return type(value)((k, map_strings(v, fn)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(map_strings(v, fn) for v in value)
    return value


def references(value) -> List[Reference]:
    """Every ``(stage, output)`` named by a ``{stages.<name>.<output>}`` in ``value``, in
    order of appearance, without repeats."""
    found = []

    def collect(text: str) -> str:
        for ref in STAGE_OUTPUT.findall(text):
            if ref not in found:
                found.append(ref)
        return text

    map_strings(value, collect)
    return found


def substitute(value, work_dir: str, outputs: Mapping[str, Mapping[str, str]]):
    """Replace ``{work_dir}`` and ``{stages.<name>.<output>}`` in every string of ``value``.

    Args:
        value: A nested config.
        work_dir (str): The pipeline's work dir.
        outputs (Mapping[str, Mapping[str, str]]): Stage name -> output name -> path.

    Returns:
        The config with every placeholder resolved.
    """

    def resolve(text: str) -> str:
        text = STAGE_OUTPUT.sub(lambda m: outputs[m.group(1)][m.group(2)], text)
        return text.replace(WORK_DIR, work_dir)

    return map_strings(value, resolve)
