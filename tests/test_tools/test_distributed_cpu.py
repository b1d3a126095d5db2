"""Two CPU processes (gloo) train the tiny model and end with identical weights, launched by
torchrun and by `mim train ... --launcher pytorch --gpus 2` (torch.distributed.launch)."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from repo_paths import FIXTURES, REPO_ROOT
from test_tools.test_train_resume import final_state

CONFIG = osp.join(FIXTURES, 'configs', 'tiny_regression_rank_dump.py')
TORCHRUN = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
            '--master_port=29517', 'tools/train.py', CONFIG, '--launcher', 'pytorch']
MIM = [osp.join(osp.dirname(sys.executable), 'mim'), 'train', 'mmmtnas', CONFIG,
       '--launcher', 'pytorch', '--gpus', '2', '--port', '29519']


@pytest.mark.parametrize('launch', [TORCHRUN, MIM], ids=['torchrun', 'mim'])
def test_two_process_cpu_training_ends_with_identical_weights(tmp_path, launch):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([FIXTURES, REPO_ROOT]),
               CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    cmd = [*launch, '--work-dir', str(tmp_path)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0:
        pytest.fail(proc.stdout[-3000:] + proc.stderr[-3000:])
    rank0 = torch.load(tmp_path / 'rank0_final.pth', weights_only=True)
    rank1 = torch.load(tmp_path / 'rank1_final.pth', weights_only=True)
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        torch.testing.assert_close(rank0[key], rank1[key], rtol=0, atol=0, msg=key)
    # Both ranks really ran distributed: the world size they saw was 2 and each took half the
    # batches (32 samples / batch 4 / 2 ranks = 4 iterations per epoch).
    meta = torch.load(tmp_path / 'rank1_final.pth.meta', weights_only=True)
    assert meta == {'world_size': 2, 'iters': 8}
    # The checkpoint the runner wrote (rank 0) holds the same weights.
    ckpt = final_state(tmp_path / 'epoch_2.pth')
    torch.testing.assert_close(ckpt['fc.weight'], rank1['fc.weight'], rtol=0, atol=0)
