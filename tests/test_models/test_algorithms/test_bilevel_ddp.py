"""DeviceAgnosticDDP around a search algorithm: the algorithm's own train_step under DDP (2 gloo
processes) ends with identical weights and alphas on both ranks, equal to one process on the
union batch."""
import os
import socket

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.optim import OptimWrapper, OptimWrapperDict
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401

STEPS = 3


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _batches(step, rank=None):
    """Per-rank halves of one global batch of 8 (rank None: the whole batch)."""
    gen = torch.Generator().manual_seed(100 + step)
    x = torch.randn(16, 4, generator=gen, dtype=torch.float64)
    y = torch.randn(16, generator=gen, dtype=torch.float64)
    train, val = slice(0, 8), slice(8, 16)
    if rank is not None:
        train = slice(rank * 4, rank * 4 + 4)
        val = slice(8 + rank * 4, 8 + rank * 4 + 4)
    return dict(arch=dict(inputs=x[val], targets=y[val]),
                weights=dict(inputs=x[train], targets=y[train]))


def _search(unroll, rank=None):
    from tiny_bilevel_supernet import TinyBilevelSupernet

    from mmmtnas.models.algorithms import BilevelSearchAlgorithm
    from mmmtnas.models.wrappers import DeviceAgnosticDDP
    algo = BilevelSearchAlgorithm(TinyBilevelSupernet(seed=3), unroll=unroll).double()
    wrappers = OptimWrapperDict(
        weights=OptimWrapper(torch.optim.SGD(algo.weight_parameters(), lr=0.1, momentum=0.9)),
        arch=OptimWrapper(torch.optim.Adam(algo.arch_parameters(), lr=0.05)))
    model = algo if rank is None else DeviceAgnosticDDP(
        module=algo, device_ids=[rank], broadcast_buffers=False)
    for step in range(STEPS):
        model.train_step(_batches(step, rank), wrappers)
    return {k: v.detach().clone() for k, v in algo.state_dict().items()}


def _worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)  # two ranks on a shared 2-core machine
    dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        states = {unroll: _search(unroll, rank) for unroll in (False, True)}
        torch.save(states, os.path.join(out_dir, f'rank{rank}.pth'))
    finally:
        dist.destroy_process_group()


def test_two_gloo_ranks_end_identical_and_equal_to_one_process_on_the_union(tmp_path):
    # fork: the ranks inherit the imported modules (spawning re-imports mmdet & co. per rank)
    mp.start_processes(_worker, args=(_free_port(), str(tmp_path)), nprocs=2, join=True,
                       start_method='fork')
    ranks = [torch.load(tmp_path / f'rank{r}.pth', weights_only=True) for r in range(2)]
    for unroll in (False, True):
        single = _search(unroll)
        a, b = ranks[0][unroll], ranks[1][unroll]
        assert a.keys() == single.keys()
        for key in single:
            torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
            torch.testing.assert_close(a[key], single[key], rtol=1e-9, atol=1e-12, msg=key)
        moved = single['supernet.arch_params.edge0'] - _initial_alpha()
        assert float(moved.abs().max()) > 1e-3


def _initial_alpha():
    from tiny_bilevel_supernet import TinyBilevelSupernet
    return TinyBilevelSupernet(seed=3).arch_params['edge0'].detach().double()


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
