"""Checkpoint loading under torch >= 2.6, where ``torch.load`` defaults to ``weights_only=True``.

MMEngine 0.10.7 checkpoints hold a few non-tensor objects (the message hub's ``HistoryBuffer``
with numpy arrays). Rather than turning safety off, we allow-list exactly those types, stop
``HistoryBuffer`` from pickling bound methods (which would need ``builtins.getattr``), and make
MMEngine's local-file loader name any other type it meets.
"""
import pickle
import re
from typing import List

import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds a type that is not allow-listed for ``weights_only`` loading."""


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
        UnsafeCheckpointError: The file holds a type that is not allow-listed; the message
            names the file and the types.
    """
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        # torch names the offending type in one of two phrasings inside a long message.
        names = re.findall(r"GLOBAL ([\w.]+)|but got <class '([\w.]+)'>", str(err))
        names = sorted({a or b for a, b in names}) or ['(unnamed by torch)']
        raise UnsafeCheckpointError(
            f'{filename}: checkpoint holds type(s) {", ".join(names)} that are not allow-listed '
            'for weights_only loading; if you trust the file, allow them with '
            'torch.serialization.add_safe_globals([...]).') from None


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
