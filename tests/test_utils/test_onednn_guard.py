import os
import subprocess
import sys

import torch
import torch.nn.functional as F

import mmmtnas  # noqa: F401  (applies the guard on import)
from mmmtnas.models.nas import SearchableDartsBackbone
from mmmtnas.utils.onednn_guard import apply_onednn_guard, onednn_is_broken


def test_guard_follows_the_environment_switch(monkeypatch):
    before = torch.backends.mkldnn.enabled
    try:
        monkeypatch.setenv('MMMTNAS_ONEDNN', '0')
        assert apply_onednn_guard() is False
        monkeypatch.setenv('MMMTNAS_ONEDNN', 'yes')
        try:
            apply_onednn_guard()
        except ValueError as err:
            assert 'MMMTNAS_ONEDNN' in str(err)
        else:
            raise AssertionError('a bad MMMTNAS_ONEDNN value must be refused')
    finally:
        torch.backends.mkldnn.enabled = before
    assert torch.backends.mkldnn.enabled is not onednn_is_broken()


def test_network_that_crashed_onednn_trains_in_a_fresh_process():
    # float32, one thread, the default stem: with oneDNN on, torch 2.14.1 on this project's
    # AVX2 CI machine aborts here ('double free or corruption', SIGABRT) on the first backward
    script = (
        'import torch\n'
        'import mmmtnas\n'
        'from mmmtnas.models.nas import SearchableDartsBackbone\n'
        'torch.set_num_threads(1)\n'
        'torch.manual_seed(0)\n'
        'net = SearchableDartsBackbone(channels=8, num_cells=1, partial_k=4)\n'
        'x = torch.randn(2, 3, 32, 32)\n'
        'for _ in range(3):\n'
        '    net(x)[-1].sum().backward()\n'
        "print('trained', torch.backends.mkldnn.enabled)\n")
    env = {k: v for k, v in os.environ.items() if k != 'MMMTNAS_ONEDNN'}
    proc = subprocess.run([sys.executable, '-c', script], env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-2:] == ['trained', str(not onednn_is_broken())]


def test_pc_darts_cell_backward_with_one_thread_matches_finite_differences():
    # Native kernels (oneDNN off where it is broken) give correct gradients.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        torch.manual_seed(0)
        net = SearchableDartsBackbone(channels=8, num_cells=1, partial_k=4,
                                      stem_type='imagenet').double()
        x = torch.randn(2, 3, 32, 32, dtype=torch.double)
        net(x)[-1].sum().backward()
        weight = net.stem0[0].weight
        grad = weight.grad[0, 0, 0, 0].item()
        eps = 1e-6
        with torch.no_grad():
            weight[0, 0, 0, 0] += eps
            up = net(x)[-1].sum().item()
            weight[0, 0, 0, 0] -= 2 * eps
            down = net(x)[-1].sum().item()
        assert abs((up - down) / (2 * eps) - grad) < 1e-4 * max(1.0, abs(grad))
    finally:
        torch.set_num_threads(threads)
