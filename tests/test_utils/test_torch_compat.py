import argparse
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader

import mmmtnas  # noqa: F401  (installs the allow-list)
from mmmtnas.utils.torch_compat import (CheckpointError, CorruptCheckpointError,
                                        UnsafeCheckpointError)


def test_message_hub_state_round_trips_with_weights_only(tmp_path):
    hub = MessageHub.get_instance('compat-test')
    for v in (1.0, 2.0, 4.0):
        hub.update_scalar('train/loss', v)
    path = tmp_path / 'hub.pth'
    torch.save({'message_hub': hub.state_dict()}, path)
    # No builtins.getattr, only the allow-listed types.
    assert not [g for g in torch.serialization.get_unsafe_globals_in_checkpoint(str(path))
                if g.startswith('builtins')]
    loaded = CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.mean() == pytest.approx(7 / 3)
    assert buf.max() == 4.0  # statistics methods were rebuilt on load


def test_unknown_type_gives_error_naming_it(tmp_path):
    path = tmp_path / 'bad.pth'
    torch.save({'state_dict': {}, 'extra': argparse.Namespace(a=1)}, path)
    with pytest.raises(UnsafeCheckpointError) as err:
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    msg = str(err.value)
    assert 'argparse.Namespace' in msg and str(path) in msg
    assert '\n' not in msg


class _RunsShell:
    """Unpickling this would call os.system: what a malicious checkpoint holds."""

    def __reduce__(self):
        return (os.system, ('echo pwned',))


def _write_good(path):
    torch.save({'state_dict': {'w': torch.arange(64.)}}, path)
    return path.read_bytes()


@pytest.mark.parametrize('damage, error, phrase', [
    ('malicious', UnsafeCheckpointError, f'{os.system.__module__}.system'),
    ('empty', CorruptCheckpointError, 'is empty'),
    ('truncated', CorruptCheckpointError, 'truncated or corrupt'),
    ('truncated_legacy', CorruptCheckpointError, 'truncated or corrupt'),
    ('bare_pickle', CorruptCheckpointError, 'not a checkpoint written by torch.save'),
])
def test_unloadable_checkpoint_is_one_line_naming_the_file(tmp_path, damage, error, phrase):
    path = tmp_path / f'{damage}.pth'
    if damage == 'malicious':
        torch.save({'state_dict': {}, 'meta': _RunsShell()}, path)
    elif damage == 'empty':
        path.write_bytes(b'')
    elif damage == 'truncated':
        good = _write_good(path)
        path.write_bytes(good[:len(good) // 2])
    elif damage == 'truncated_legacy':
        torch.save({'state_dict': {'w': torch.arange(64.)}}, path,
                   _use_new_zipfile_serialization=False)
        path.write_bytes(path.read_bytes()[:-40])
    else:
        path.write_bytes(pickle.dumps({'state_dict': _RunsShell()}))
    with pytest.raises(error) as err:
        CheckpointLoader.load_checkpoint(str(path), map_location='cpu')
    msg = str(err.value)
    assert msg.startswith(f'{path}: ') and phrase in msg
    assert '\n' not in msg
    # Every refusal is a ValueError, which the tools report as one `error:` line.
    assert isinstance(err.value, CheckpointError) and isinstance(err.value, ValueError)


def test_missing_checkpoint_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match='no.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'no.pth'), map_location='cpu')
