"""Checkpoint loading under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

MMEngine 0.10.7 checkpoints hold a few non-tensor objects (the message hub's ``HistoryBuffer``
with numpy arrays). Rather than turning safety off, we allow-list exactly those types, stop
``HistoryBuffer`` from pickling bound methods (which would need ``builtins.getattr``), and make
MMEngine's local-file loader turn every failure (a type outside the allow-list, an empty,
truncated or foreign file) into a :class:`CheckpointError` whose one-line message names the file.
"""
import os.path as osp
import pickle
import re
from typing import List

import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class CheckpointError(ValueError):
    """A checkpoint file cannot be loaded; the message names the file and why."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint holds a type that is not allow-listed for ``weights_only`` loading."""


class CorruptCheckpointError(CheckpointError):
    """A checkpoint file is empty, truncated, or not written by ``torch.save``."""


def checkpoint_safe_globals() -> List[object]:
    """Return the non-tensor types an MMEngine checkpoint written by mmmtnas contains."""
    import numpy as np
    from numpy.core.multiarray import _reconstruct, scalar

    # HistoryBuffer keeps float64 values and int64 counts; float32/int32 arrive when a
    # loss is logged from a numpy value of that width.
    dtypes = [np.dtypes.Float64DType, np.dtypes.Int64DType, np.dtypes.Float32DType,
              np.dtypes.Int32DType]
    return [HistoryBuffer, np.ndarray, np.dtype, _reconstruct, scalar, *dtypes]


def _history_buffer_getstate(self) -> dict:
    # Upstream stores the class-level statistics methods in every pickle; they are functions
    # (loaded through builtins.getattr) and __setstate__ re-creates them anyway.
    state = dict(self.__dict__)
    state.pop('statistics_methods', None)
    return state


def load_local_checkpoint(filename: str, map_location=None) -> dict:
    """Load a local checkpoint with ``weights_only=True``.

    Args:
        filename (str): Path of the checkpoint.
        map_location (str, optional): Same as :func:`torch.load`.

    Returns:
        dict: The loaded checkpoint.

    Raises:
        FileNotFoundError: No such file.
        UnsafeCheckpointError: The file holds a type that is not allow-listed; the message
            names the file and the types.
        CorruptCheckpointError: The file is empty, truncated or not a torch checkpoint.
        CheckpointError: Any other reason torch gives (e.g. tensors saved on a device this
            machine lacks); the message names the file.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file not found: {filename}')
    if osp.getsize(filename) == 0:
        raise CorruptCheckpointError(f'{filename}: checkpoint file is empty')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise _unpickling_error(filename, str(err)) from None
    except EOFError:
        raise CorruptCheckpointError(
            f'{filename}: checkpoint is truncated (the file ends inside the data)') from None
    except (RuntimeError, OSError) as err:
        reason = _first_sentence(str(err)) or type(err).__name__
        # torch's readers say "PytorchStreamReader" (zip) or "EOF" (legacy) about a damaged file.
        if 'PytorchStreamReader' in reason or 'EOF' in reason:
            raise CorruptCheckpointError(
                f'{filename}: checkpoint is truncated or corrupt ({reason})') from None
        raise CheckpointError(f'{filename}: checkpoint cannot be loaded ({reason})') from None


def _first_sentence(text: str) -> str:
    """The first non-empty line of ``text``, cut after its first sentence (torch appends
    paragraphs of advice)."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), '')
    return line.split('. ')[0].rstrip('.')


def _unpickling_error(filename: str, message: str) -> CheckpointError:
    """Turn torch's multi-paragraph ``weights_only`` refusal into a one-line error."""
    # torch names an offending type in one of two phrasings inside a long message.
    names = sorted({a or b for a, b in
                    re.findall(r"GLOBAL ([\w.]+)|but got <class '([\w.]+)'>", message)})
    if names:
        return UnsafeCheckpointError(
            f'{filename}: checkpoint holds type(s) {", ".join(names)} that are not allow-listed '
            'for weights_only loading; if you trust the file, allow them with '
            'torch.serialization.add_safe_globals([...]).')
    # Otherwise the pickle stream itself is foreign (e.g. a bare pickle.dump) or damaged;
    # the reason is the first line after torch's "WeightsUnpickler error:" preamble.
    _, _, tail = message.partition('WeightsUnpickler error:')
    reason = _first_sentence(tail) or _first_sentence(message)
    return CorruptCheckpointError(
        f'{filename}: not a checkpoint written by torch.save, or damaged; the weights_only '
        f'unpickler stops at: {reason}')


_installed = False


def install_checkpoint_safe_globals() -> None:
    """Allow-list mmengine's checkpoint types and route local loads through
    :func:`load_local_checkpoint`. Idempotent."""
    global _installed
    if _installed:
        return
    torch.serialization.add_safe_globals(checkpoint_safe_globals())
    HistoryBuffer.__getstate__ = _history_buffer_getstate
    CheckpointLoader.register_scheme(prefixes='', loader=load_local_checkpoint, force=True)
    _installed = True
