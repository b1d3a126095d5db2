"""A search killed with SIGKILL after a checkpoint and resumed with ``tools/train.py --resume``
exports the same structure file, byte for byte, as an uninterrupted run with the same seed;
random augmentation (scale, crop, flip) stays on."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import torch

from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT

TRAIN = osp.join(REPO_ROOT, 'tools', 'train.py')
BMTAS_SEARCH = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_search.py')
# 4 warm-up iterations, then two cycles of 1 architecture + 3 weight iterations (16 training
# images: 3 / 13 at batch 4): 12 iterations, a checkpoint every 3.
OPTIONS = ['train_cfg.schedule.warmup_iters=4', 'train_cfg.schedule.max_arch_iters=2',
           'default_hooks.checkpoint.interval=3', 'default_hooks.checkpoint.max_keep_ckpts=10',
           'default_hooks.logger.interval=1']


def _command(work_dir, *extra):
    return [sys.executable, TRAIN, BMTAS_SEARCH, '--work-dir', str(work_dir), *extra,
            '--cfg-options', *OPTIONS]


def _run(cwd, work_dir, *extra):
    proc = subprocess.run(_command(work_dir, *extra), cwd=str(cwd), capture_output=True,
                          text=True, timeout=600, env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    assert proc.returncode == 0, proc.stderr[-3000:]


def _kill_after_first_checkpoint(cwd, work_dir):
    proc = subprocess.Popen(_command(work_dir), cwd=str(cwd), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=REPO_ROOT))
    marker = work_dir / 'last_checkpoint'  # written by mmengine once a checkpoint is complete
    deadline = time.time() + 300
    while not marker.is_file() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, 'the search ended before it could be killed'
    return osp.basename(marker.read_text().strip())


def test_bmtas_search_killed_after_a_checkpoint_resumes_to_the_same_branch_file(tmp_path):
    make_toy_dense(str(tmp_path / 'data' / 'toy_dense'), num_images=20, seed=0, size=(64, 64))
    _run(tmp_path, tmp_path / 'full')
    killed = tmp_path / 'killed'
    checkpoint = _kill_after_first_checkpoint(tmp_path, killed)
    assert not (killed / 'branches.yaml').exists()
    _run(tmp_path, killed, '--resume')
    full = (tmp_path / 'full' / 'branches.yaml').read_bytes()
    assert full == (killed / 'branches.yaml').read_bytes()
    final = osp.basename((tmp_path / 'full' / 'last_checkpoint').read_text().strip())
    assert final == 'iter_12.pth' and checkpoint.startswith('iter_') and checkpoint != final
    # the weights too (the branch file alone hides small differences: each architecture block
    # is one sign-like first Adam step)
    a, b = (torch.load(d / final, weights_only=True)['state_dict']
            for d in (tmp_path / 'full', killed))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
