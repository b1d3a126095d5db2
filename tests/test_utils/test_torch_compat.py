import argparse

import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader

import mmmtnas  # noqa: F401  (installs the allow-list)
from mmmtnas.utils.torch_compat import UnsafeCheckpointError


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
