"""tools/train.py with a diverging learning rate: the run stops at the first non-finite loss
with one error line naming the run and the iteration; nothing is saved from the diverged
state."""
import os
import os.path as osp
import subprocess
import sys

from repo_paths import FIXTURES, REPO_ROOT

CONFIG = osp.join(FIXTURES, 'configs', 'tiny_regression.py')


def test_diverging_training_ends_with_one_error_line_naming_the_iteration(tmp_path):
    work_dir = tmp_path / 'baseline'
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([FIXTURES, REPO_ROOT]))
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(work_dir),
         '--cfg-options', 'optim_wrapper.optimizer.lr=1e12', 'train_cfg.max_epochs=4',
         'default_hooks.finite_loss.type=mmmtnas.FiniteLossHook'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith('error:')]
    assert len(errors) == 1, proc.stderr[-2000:]
    assert errors[0].startswith('error: NonFiniteLossError: baseline: non-finite value at '
                                'iteration ')
    assert 'in loss' in errors[0] and 'Traceback' not in proc.stderr
    # 8 iterations per epoch: the run broke off in its first epoch, before any checkpoint
    assert not list(work_dir.glob('epoch_*.pth'))
