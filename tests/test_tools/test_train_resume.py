"""tools/train.py: an interrupted run resumed from its checkpoint (loaded with
weights_only=True) ends with the same weights as an uninterrupted run."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from repo_paths import FIXTURES, REPO_ROOT

CONFIG = osp.join(FIXTURES, 'configs', 'tiny_regression.py')
CRASH_CONFIG = osp.join(FIXTURES, 'configs', 'tiny_regression_crash.py')


def run_tool(*args, env_extra=None, check=True):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([FIXTURES, REPO_ROOT]))
    env.update(env_extra or {})
    proc = subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        pytest.fail(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def final_state(path):
    # The strict loader is what the runner uses; loading here with weights_only=True too
    # shows the checkpoint holds nothing outside the allow-list.
    import mmmtnas  # noqa: F401
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


def test_resume_matches_uninterrupted_run(tmp_path):
    full, cut = tmp_path / 'full', tmp_path / 'cut'
    run_tool('tools/train.py', CONFIG, '--work-dir', str(full))
    # Killed right after epoch 1 was checkpointed, then resumed to the end.
    crash = run_tool('tools/train.py', CRASH_CONFIG, '--work-dir', str(cut), check=False)
    assert crash.returncode == 3 and not (cut / 'epoch_2.pth').exists()
    run_tool('tools/train.py', CONFIG, '--work-dir', str(cut), '--resume')
    a, b = final_state(full / 'epoch_2.pth'), final_state(cut / 'epoch_2.pth')
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    # The run really trained: weights moved from their epoch-1 values.
    e1 = final_state(cut / 'epoch_1.pth')
    assert not torch.equal(e1['fc.weight'], b['fc.weight'])


def test_resume_with_explicit_checkpoint_path(tmp_path):
    run_tool('tools/train.py', CRASH_CONFIG, '--work-dir', str(tmp_path), check=False)
    proc = run_tool('tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                    '--resume', str(tmp_path / 'epoch_1.pth'))
    assert (tmp_path / 'epoch_2.pth').is_file(), proc.stderr[-2000:]


def test_resume_falls_back_from_a_truncated_latest_checkpoint(tmp_path):
    full, cut = tmp_path / 'full', tmp_path / 'cut'
    run_tool('tools/train.py', CONFIG, '--work-dir', str(full))
    run_tool('tools/train.py', CONFIG, '--work-dir', str(cut))
    # a kill while epoch 2 was being written: last_checkpoint names a truncated file
    latest = cut / 'epoch_2.pth'
    latest.write_bytes(latest.read_bytes()[:1000])
    proc = run_tool('tools/train.py', CONFIG, '--work-dir', str(cut), '--resume')
    assert f'checkpoint {latest} cannot be read' in proc.stdout + proc.stderr
    # epoch 2 was trained again from epoch 1: the same weights as the uninterrupted run
    a, b = final_state(full / 'epoch_2.pth'), final_state(latest)
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
