"""Files a pipeline stage reads and writes: completion markers, metrics, init checkpoints.

Everything is written atomically (temp file in the same folder, then ``os.replace``), so an
interrupted stage never leaves a file that looks finished.
"""
import json
import math
import os
import os.path as osp
import tempfile
import time
from typing import Dict, List, Mapping, Optional, Sequence

import torch

from mmmtnas.structures.file_io import write_text_atomically
from mmmtnas.utils.torch_compat import load_local_checkpoint

MARKER = 'DONE.json'
METRICS = 'metrics.json'
INIT_REPORT = 'init.json'  # what the stage's init.pth holds (InheritWeights' report)
CHECKPOINT = 'checkpoint.pth'


def atomic_write_text(path: str, text: str) -> str:
    """Write ``text`` to ``path`` atomically and return ``path``."""
    write_text_atomically(path, text)
    return path


def atomic_write_json(path: str, data) -> str:
    """Write ``data`` as indented JSON, atomically. NaN and infinities (which ``json`` would
    write as bare, invalid ``NaN``) are written as null, so the file is always valid JSON."""
    text = json.dumps(_finite(json.loads(json.dumps(data, default=_jsonable))), indent=2,
                      allow_nan=False)
    return atomic_write_text(path, text + '\n')


def _finite(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _jsonable(value):
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 else value.tolist()
    if hasattr(value, 'item'):  # numpy scalars
        return value.item()
    return str(value)


def is_done(stage_dir: str) -> bool:
    """Whether the stage in ``stage_dir`` finished (its marker exists)."""
    return osp.isfile(osp.join(stage_dir, MARKER))


def mark_done(stage_dir: str, stage: str, outputs: Sequence[str]) -> str:
    """Write the completion marker; call it last, after every output exists."""
    missing = [p for p in outputs if not osp.exists(p)]
    if missing:
        raise FileNotFoundError(f'stage {stage!r} did not write {missing[0]}')
    return atomic_write_json(osp.join(stage_dir, MARKER), dict(
        stage=stage, finished=time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime()),
        outputs=[osp.basename(p) for p in outputs]))


def clear_marker(stage_dir: str) -> None:
    """Remove the completion marker (the stage is about to run again)."""
    path = osp.join(stage_dir, MARKER)
    if osp.exists(path):
        os.remove(path)


def read_json(path: str) -> Optional[dict]:
    """Read a JSON file, or None if it does not exist."""
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def atomic_torch_save(obj, path: str) -> str:
    """``torch.save`` atomically."""
    directory = osp.dirname(osp.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.pth', dir=directory)
    os.close(fd)
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return path


def load_state_dict(path: str) -> Dict[str, torch.Tensor]:
    """The ``state_dict`` of a checkpoint written by an mmengine runner (or a bare one)."""
    ckpt = load_local_checkpoint(path, map_location='cpu')
    return ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else ckpt


def select_weights(state: Mapping[str, torch.Tensor], include: Sequence[str],
                   rename: Optional[Mapping[str, str]] = None,
                   where: str = '') -> Dict[str, torch.Tensor]:
    """Keep the keys starting with one of ``include``; rename prefixes by ``rename``.

    Args:
        state (Mapping[str, Tensor]): A state dict.
        include (Sequence[str]): Key prefixes to keep (each must match something).
        rename (Mapping[str, str], optional): Old prefix -> new prefix, applied once per key.
        where (str): The checkpoint's name, for messages.

    Returns:
        dict[str, Tensor]: The selected, renamed tensors.
    """
    out = {}
    for prefix in include:
        keys = [k for k in state if k.startswith(prefix)]
        if not keys:
            raise KeyError(f'{where}: no weight starts with {prefix!r}')
        for key in keys:
            out[renamed(key, rename)] = state[key]
    return out


def renamed(key: str, rename: Optional[Mapping[str, str]]) -> str:
    """``key`` with the first matching old prefix of ``rename`` replaced by its new one."""
    for old, new in (rename or {}).items():
        if key.startswith(old):
            return new + key[len(old):]
    return key


def check_init_keys(init: Mapping[str, torch.Tensor], model_state: Mapping[str, torch.Tensor],
                    strict: bool, where: str) -> List[str]:
    """Check an init state dict against a model's; return the keys that will be loaded.

    Args:
        init (Mapping[str, Tensor]): Tensors to load.
        model_state (Mapping[str, Tensor]): The model's state dict.
        strict (bool): Every init key must exist in the model with the same shape; otherwise
            unknown or mismatched keys are dropped.
        where (str): Name used in messages.

    Returns:
        list[str]: Keys that match by name and shape.
    """
    ok = []
    for key, value in init.items():
        target = model_state.get(key)
        if target is not None and tuple(target.shape) == tuple(value.shape):
            ok.append(key)
        elif strict:
            what = 'absent from the model' if target is None else (
                f'shape {tuple(value.shape)} != model {tuple(target.shape)}')
            raise KeyError(f'{where}: weight {key!r} is {what}')
    return ok
