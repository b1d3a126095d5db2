"""The search cell's fast path computes exactly what the plain DARTS / PC-DARTS cell computes.

The reference is the cell forward from before the fast path, as the step benchmark
(``tools/benchmarks/bench_pc_darts.py``) runs it for its "before" figure.
"""
import copy
import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn as nn

from mmmtnas.models.nas import DARTS_OPS, MixedEdge, SearchableDartsBackbone, SearchCell
from mmmtnas.models.nas.operations import Zero

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
_spec = importlib.util.spec_from_file_location(
    'bench_pc_darts', osp.join(REPO, 'tools', 'benchmarks', 'bench_pc_darts.py'))
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

OPS_WITHOUT_NONE = tuple(op for op in DARTS_OPS if op != 'none')


def _supernet(partial_k, op_names, dtype):
    # 3 cells: normal, reduction, reduction after reduction (every preprocess / stride case)
    torch.manual_seed(0)
    net = SearchableDartsBackbone(channels=8, num_cells=3, partial_k=partial_k,
                                  op_names=op_names, reduction_cells=(1, 2))
    with torch.no_grad():  # alphas far from uniform, so a wrong weight would show
        for p in net.arch_params.parameters():
            p.normal_()
    return net.to(dtype)


def _loss_and_grads(net, x):
    out = net(x)[-1]
    # a loss that weighs every output element differently
    loss = (out * torch.linspace(-1, 1, out.numel(), dtype=out.dtype).view_as(out)).sum()
    loss.backward()
    return out, {n: p.grad for n, p in net.named_parameters()}


@pytest.mark.parametrize('partial_k', [1, 4])
@pytest.mark.parametrize('op_names', [DARTS_OPS, OPS_WITHOUT_NONE], ids=['with_none', 'no_none'])
def test_fast_cells_equal_the_reference_cells_in_output_gradients_and_bn_stats(
        partial_k, op_names):
    fast = _supernet(partial_k, op_names, torch.float64)
    ref = copy.deepcopy(fast)
    assert bench.use_reference_cells(ref) == 3
    x = torch.randn(2, 3, 12, 12, dtype=torch.float64)
    out_fast, grads_fast = _loss_and_grads(fast, x)
    out_ref, grads_ref = _loss_and_grads(ref, x)

    assert out_fast.shape == out_ref.shape == (2, 4 * 32, 3, 3)
    assert torch.allclose(out_fast, out_ref, rtol=0, atol=1e-10)
    assert grads_fast.keys() == grads_ref.keys()
    arch = [n for n in grads_ref if n.startswith('arch_params.')]
    assert len(arch) == (4 if partial_k > 1 else 2)  # alphas (+ betas) of normal and reduce
    for name, grad in grads_ref.items():
        assert grad is not None and grads_fast[name] is not None, name
        assert torch.allclose(grads_fast[name], grad, rtol=0, atol=1e-10), name
    for (name, buf_fast), buf_ref in zip(fast.named_buffers(), ref.buffers()):
        assert torch.allclose(buf_fast, buf_ref, rtol=0, atol=1e-12), name
    # evaluation uses the running statistics both paths updated
    with torch.no_grad():
        assert torch.allclose(fast.eval()(x)[-1], ref.eval()(x)[-1], rtol=0, atol=1e-10)


@pytest.mark.parametrize('partial_k', [1, 4])
def test_fast_cells_keep_the_float32_loss_to_1e_5(partial_k):
    fast = _supernet(partial_k, DARTS_OPS, torch.float32)
    ref = copy.deepcopy(fast)
    bench.use_reference_cells(ref)
    x = torch.randn(4, 3, 16, 16)
    losses = [net(x)[-1].square().mean() for net in (fast, ref)]
    assert abs(losses[0].item() - losses[1].item()) <= 1e-5


def test_none_never_runs_and_each_parameter_free_front_runs_once_per_input():
    cell = SearchCell(8, 8, 8, reduction=False, reduction_prev=False, op_names=DARTS_OPS,
                      partial_k=2)
    calls = {nn.MaxPool2d: 0, nn.AvgPool2d: 0, Zero: 0}

    def count(module, args, out):
        calls[type(module)] += 1

    for m in cell.modules():
        if type(m) in calls:
            m.register_forward_hook(count)
    cell(torch.randn(2, 8, 6, 6), torch.randn(2, 8, 6, 6), torch.randn(14, 8).softmax(-1))
    # 14 edges read 5 distinct inputs (2 cell inputs + nodes 0..2): one pooling each
    assert calls == {nn.MaxPool2d: 5, nn.AvgPool2d: 5, Zero: 0}


def test_cell_output_is_channels_last_and_inputs_may_be_either_layout():
    cell = SearchCell(6, 6, 4, reduction=False, reduction_prev=False, op_names=DARTS_OPS,
                      partial_k=2, num_nodes=2, multiplier=2)
    w = torch.randn(5, 8).softmax(-1)
    s = torch.randn(1, 6, 5, 5)
    out = cell(s, s.contiguous(memory_format=torch.channels_last), w)
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.allclose(out, cell(s, s, w), atol=1e-6)


def test_an_edge_of_only_none_is_refused():
    with pytest.raises(ValueError, match='other than none'):
        MixedEdge(4, 1, ['none'])
