# Copyright (c) mmmtnas contributors. All rights reserved.
"""Reading and atomically writing the YAML/JSON files of :mod:`mmmtnas.structures`.

Genotype files and branch files share the same on-disk conventions: a ``.json`` suffix means
JSON, anything else YAML; writes go to a temp file in the target folder followed by
``os.replace`` so that a reader (or a crash) never sees a half-written file; a missing or
unparsable file is a one-line error naming the file.
"""
import json
import os
import os.path as osp
import tempfile
from typing import Any, Type

import yaml


def is_json_path(path: str) -> bool:
    """Whether ``path`` is written/read as JSON (``.json`` suffix) rather than YAML."""
    return str(path).endswith('.json')


def write_text_atomically(path: str, text: str, prefix: str = '.tmp-') -> None:
    """Write ``text`` to ``path`` so that readers see either the old or the new file.

    Args:
        path (str): Destination; its folder is created if needed.
        text (str): The full content.
        prefix (str): Name prefix of the temp file (shown if a crash leaves it behind).
    """
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    # Same-directory temp file + os.replace: the rename is atomic on one file system.
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def read_json_or_yaml(path: str, kind: str, error_cls: Type[Exception]) -> Any:
    """Parse a JSON (``.json`` suffix) or YAML file.

    Args:
        path (str): The file.
        kind (str): What the file is, for the error messages (e.g. ``'genotype'``).
        error_cls (type): Exception raised (with a one-line message) on a parse error.

    Returns:
        Any: The parsed document (not checked further).

    Raises:
        FileNotFoundError: No such file.
        error_cls: The file cannot be read, is not UTF-8 text, or is not valid JSON/YAML.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{kind} file not found: {path}')
    as_json = is_json_path(path)
    try:
        with open(path, 'rb') as f:
            text = f.read().decode('utf-8')
    except UnicodeDecodeError as err:
        # Binary content (a checkpoint or an image passed by mistake): say so, not the codec.
        raise error_cls(f'{path}: not a {kind} file: not UTF-8 text (byte '
                        f'0x{err.object[err.start]:02x} at offset {err.start}); expected '
                        f'{"JSON" if as_json else "YAML"}') from None
    except OSError as err:
        raise error_cls(f'{path}: cannot read the {kind} file ({err.strerror})') from None
    try:
        return json.loads(text) if as_json else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as err:
        # Parser messages span several lines; the first one names the problem.
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise error_cls(f'{path}: not valid {"JSON" if as_json else "YAML"} ({first})') from None


def read_versioned_file(path: str, kind: str, file_format: str, version: int,
                        error_cls: Type[Exception]) -> dict:
    """Parse a file (see :func:`read_json_or_yaml`) and check its ``format``/``version`` keys.

    Args:
        path (str): The file.
        kind (str): What the file is, for the error messages (e.g. ``'genotype'``).
        file_format (str): Required value of the ``format`` key.
        version (int): Required value of the ``version`` key.
        error_cls (type): Exception raised (with a one-line message) on any problem.

    Returns:
        dict: The parsed document (its other keys not checked).
    """
    doc = read_json_or_yaml(path, kind, error_cls)
    if not isinstance(doc, dict) or doc.get('format') != file_format:
        raise error_cls(f"{path}: not a {kind} file (expected 'format: {file_format}')")
    if doc.get('version') != version:
        raise error_cls(f'{path}: version {doc.get("version")!r} is not supported '
                        f'(expected {version})')
    return doc
