"""BilevelSearchAlgorithm: each optimiser steps on its own loss's gradient; the unrolled
architecture gradient matches finite differences of L_val(w - xi * grad_w L_train(w, a), a)."""
import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from tiny_bilevel_supernet import TinyBilevelSupernet, one_torch_thread  # noqa: F401
from torch.func import functional_call

from mmmtnas.models.algorithms import BilevelSearchAlgorithm

XI = 0.1  # weight lr == virtual step size
ARCH_LR = 1.0  # plain SGD with lr 1: alpha_after = alpha_before - grad_alpha


def _batch(seed, n=6, dim=4):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen, dtype=torch.float64)
    y = torch.randn(n, generator=gen, dtype=torch.float64)
    return dict(inputs=list(x), targets=list(y))


def _algorithm(unroll, xi=None):
    algo = BilevelSearchAlgorithm(supernet=TinyBilevelSupernet(seed=1), unroll=unroll, xi=xi)
    return algo.double()


def _wrappers(algo, weight_momentum=0.):
    return OptimWrapperDict(
        weights=OptimWrapper(
            torch.optim.SGD(algo.weight_parameters(), lr=XI, momentum=weight_momentum)),
        arch=OptimWrapper(torch.optim.SGD(algo.arch_parameters(), lr=ARCH_LR)))


def _loss(algo, params, batch):
    """L(params) by a functional call: independent of the algorithm's own code path."""
    x = torch.stack(batch['inputs'])
    y = torch.stack(batch['targets'])
    pred = functional_call(algo.supernet, params, (x, ), dict(mode='tensor'))
    return ((pred - y)**2).mean()


def _split(algo):
    names = dict(algo.supernet.named_parameters())
    arch = {k: v for k, v in names.items() if k.startswith('arch_params.')}
    weights = {k: v for k, v in names.items() if k not in arch}
    return ({k: v.detach().clone() for k, v in weights.items()},
            {k: v.detach().clone() for k, v in arch.items()})


def _unrolled_objective(algo, w0, alpha, train, val, xi):
    """f(alpha) = L_val(w0 - xi * grad_w L_train(w0, alpha), alpha), exactly by autograd."""
    w = {k: v.clone().requires_grad_(True) for k, v in w0.items()}
    g = torch.autograd.grad(_loss(algo, {**w, **alpha}, train), list(w.values()))
    w_virtual = {k: w0[k] - xi * gk for k, gk in zip(w, g)}
    return _loss(algo, {**w_virtual, **alpha}, val)


def _numerical_grad(fn, alpha, h=1e-5):
    grads = {}
    for name, value in alpha.items():
        grad = torch.zeros_like(value)
        for i in range(value.numel()):
            plus, minus = value.clone(), value.clone()
            plus.view(-1)[i] += h
            minus.view(-1)[i] -= h
            grad.view(-1)[i] = (fn({**alpha, name: plus}) - fn({**alpha, name: minus})) / (2 * h)
        grads[name] = grad
    return grads


def _flat(d):
    return torch.cat([v.reshape(-1) for _, v in sorted(d.items())])


def test_unrolled_arch_gradient_matches_finite_differences_of_the_unrolled_objective():
    algo = _algorithm(unroll=True)
    train, val = _batch(0), _batch(1)
    w0, a0 = _split(algo)
    numerical = _flat(_numerical_grad(
        lambda a: _unrolled_objective(algo, w0, a, train, val, XI).detach(), a0))

    algo.train_step(dict(arch=val, weights=train), _wrappers(algo))
    _, a1 = _split(algo)
    ours = (_flat(a0) - _flat(a1)) / ARCH_LR
    rel_err = float((ours - numerical).norm() / numerical.norm())
    assert rel_err < 1e-3, rel_err

    # The check discriminates: the first-order gradient misses the Hessian term by far more.
    a = {k: v.clone().requires_grad_(True) for k, v in a0.items()}
    first_order = _flat(dict(zip(a, torch.autograd.grad(
        _loss(algo, {**w0, **a}, val), list(a.values())))))
    assert float((first_order - numerical).norm() / numerical.norm()) > 1e-2


@pytest.mark.parametrize('unroll', [False, True])
def test_weight_step_equals_sgd_step_on_the_training_gradient_alone(unroll):
    algo = _algorithm(unroll=unroll)
    train, val = _batch(2), _batch(3)
    w0, a0 = _split(algo)
    algo.train_step(dict(arch=val, weights=train), _wrappers(algo))
    w1, a1 = _split(algo)

    # Weight step: grad of L_train at (w0, alpha after the architecture step), nothing else.
    w = {k: v.clone().requires_grad_(True) for k, v in w0.items()}
    grads = torch.autograd.grad(_loss(algo, {**w, **a1}, train), list(w.values()))
    for (name, g) in zip(w, grads):
        torch.testing.assert_close(w1[name], w0[name] - XI * g, rtol=1e-10, atol=1e-12)
    # The step really moved the weights (in the unrolled mode too).
    assert max(float((w1[k] - w0[k]).abs().max()) for k in w0) > 1e-3

    if not unroll:
        # Architecture step: grad of L_val at (w0, alpha0) only.
        a = {k: v.clone().requires_grad_(True) for k, v in a0.items()}
        grads = torch.autograd.grad(_loss(algo, {**w0, **a}, val), list(a.values()))
        for (name, g) in zip(a, grads):
            torch.testing.assert_close(a1[name], a0[name] - ARCH_LR * g, rtol=1e-10, atol=1e-12)


def test_unrolled_step_restores_buffers_and_leaves_no_gradients_behind():
    algo = _algorithm(unroll=True)
    algo.supernet.register_buffer('counter', torch.zeros(1, dtype=torch.float64))
    wrappers = _wrappers(algo, weight_momentum=0.9)
    log = algo.train_step(dict(arch=_batch(5), weights=_batch(4)), wrappers)
    assert set(log) == {'loss', 'arch.loss'}
    assert all(p.grad is None for p in algo.parameters())
    assert float(algo.supernet.counter) == 0.


def test_first_order_arch_loss_is_logged_on_the_validation_batch():
    algo = _algorithm(unroll=False)
    train, val = _batch(6), _batch(7)
    w0, a0 = _split(algo)
    expected = float(_loss(algo, {**w0, **a0}, val))
    log = algo.train_step(dict(arch=val, weights=train), _wrappers(algo))
    assert log['arch.loss'].item() == pytest.approx(expected, rel=1e-12)


def test_train_step_rejects_batches_keyed_by_anything_but_phases():
    algo = _algorithm(unroll=False)
    with pytest.raises(KeyError, match=r"phases from \['arch', 'weights'\], got \['train'\]"):
        algo.train_step(dict(train=_batch(0)), _wrappers(algo))


def test_unrolled_step_needs_the_weight_batch_too():
    algo = _algorithm(unroll=True)
    with pytest.raises(KeyError, match="unrolled architecture step needs the 'weights' batch"):
        algo.train_step(dict(arch=_batch(0)), _wrappers(algo))


def test_weights_only_step_leaves_alpha_and_moves_weights():
    """What a PC-DARTS warm-up iteration runs: no architecture step."""
    algo = _algorithm(unroll=False)
    alpha = [p.detach().clone() for p in algo.arch_parameters()]
    weights = [p.detach().clone() for p in algo.weight_parameters()]
    log = algo.train_step(dict(weights=_batch(0)), _wrappers(algo))
    assert not any(k.startswith('arch.') for k in log)
    assert all(torch.equal(a, p) for a, p in zip(alpha, algo.arch_parameters()))
    assert any(not torch.equal(w, p) for w, p in zip(weights, algo.weight_parameters()))


def test_train_step_rejects_a_single_optim_wrapper():
    algo = _algorithm(unroll=False)
    single = OptimWrapper(torch.optim.SGD(algo.parameters(), lr=0.1))
    with pytest.raises(TypeError, match='OptimWrapperDict'):
        algo.train_step(dict(arch=_batch(1), weights=_batch(0)), single)


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
