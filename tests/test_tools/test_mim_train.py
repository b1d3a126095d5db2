"""``mim train mmmtnas CONFIG --launcher pytorch --gpus 2`` from an editable install (the README's
command): mim finds tools/train.py through the ``mmmtnas/.mim`` links setup.py makes, starts
two processes with torch.distributed.launch (it does not check for GPUs: ``--gpus`` is the
process count) and the CPU ranks train over gloo to identical weights.

mim 0.3.9 locates a package with pkg_resources, which places a PEP 660 editable install in
site-packages (no ``mmmtnas/`` there); with the source tree on PYTHONPATH it finds the tree's
``mmmtnas.egg-info`` first, and with it ``mmmtnas/.mim``.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from repo_paths import FIXTURES, REPO_ROOT

MIM = osp.join(osp.dirname(sys.executable), 'mim')


def test_mim_train_two_processes_from_the_source_tree(tmp_path):
    config = osp.join(FIXTURES, 'configs', 'tiny_regression_rank_dump.py')
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([REPO_ROOT, FIXTURES]),
               CUDA_VISIBLE_DEVICES='', OMP_NUM_THREADS='1')
    cmd = [MIM, 'train', 'mmmtnas', config, '--launcher', 'pytorch', '--gpus', '2',
           '--port', '29519', '--work-dir', str(tmp_path)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0:
        pytest.fail(proc.stdout[-3000:] + proc.stderr[-3000:])
    # the script mim ran is the source tree's, through the .mim link
    script = osp.join(REPO_ROOT, 'mmmtnas', '.mim', 'tools', 'train.py')
    assert f'torch.distributed.launch --nproc_per_node=2 --master_port=29519 {script}' \
        in proc.stdout
    rank0, rank1 = (torch.load(tmp_path / f'rank{r}_final.pth', weights_only=True)
                    for r in range(2))
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        torch.testing.assert_close(rank0[key], rank1[key], rtol=0, atol=0, msg=key)
    meta = torch.load(tmp_path / 'rank1_final.pth.meta', weights_only=True)
    assert meta == {'world_size': 2, 'iters': 8}
