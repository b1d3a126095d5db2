"""BMTAS update order: per task (the paper's App. A and its code) against a hand-written loop,
the architecture gradient against the authors' formulation re-derived here, and the summed
update (a departure kept as an option)."""
import itertools

import torch
from mmengine.registry import init_default_scope
from tiny_bmtas import TASKS, batch, search_cfg

from mmmtnas.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS

SGD = dict(lr=0.05, momentum=0.9, weight_decay=1e-4)


def build(update, **kwargs):
    init_default_scope('mmmtnas')
    torch.manual_seed(0)
    algorithm = MODELS.build(search_cfg(update=update, **kwargs))
    algorithm.init_weights()
    algorithm.train()
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type='mmmtnas.BilevelOptimWrapperConstructor',
        optim_wrapper_cfg=dict(weights=dict(optimizer=dict(type='SGD', **SGD)),
                               arch=dict(optimizer=dict(type='Adam', lr=0.01)))))(algorithm)
    return algorithm, optim


def record_steps(optimizer, algorithm, grads_of):
    """Wrap ``optimizer.step`` to record, at each step, ``grads_of(algorithm)``."""
    steps, step = [], optimizer.step

    def recording_step(*args, **kwargs):
        steps.append(grads_of(algorithm))
        return step(*args, **kwargs)

    optimizer.step = recording_step
    return steps


def heads_with_grad(algorithm):
    return [t for t, head in algorithm.model.heads.items()
            if any(p.grad is not None for p in head.parameters())]


def alpha_grad(algorithm):
    params = algorithm.arch_params
    return torch.stack([params[n].grad for n in algorithm.supernet.layer_names]).clone()


def task_loss(algorithm, data, task):
    """``w_t L_t`` of one task through its own forward pass (supernet -> head)."""
    feats = algorithm.supernet(data['inputs'], tasks=[task])
    losses = algorithm.model.heads[task].loss(feats[task], data['data_samples'], None)
    return algorithm.model.task_weights[task] * sum(
        v for k, v in losses.items() if k.startswith('loss'))


def weights_of(algorithm):
    arch = {id(p) for p in algorithm.arch_params.parameters()}
    return [p for p in algorithm.parameters() if id(p) not in arch]


def assert_same_parameters(a, b):
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(p, q, msg=name)


def test_per_task_weight_batch_steps_once_per_task_in_order_like_a_hand_loop():
    algorithm, optim = build('per_task')
    steps = record_steps(optim['weights'].optimizer, algorithm, heads_with_grad)
    torch.manual_seed(1)
    log = algorithm.train_step(dict(weights=batch()), optim)
    assert steps == [[t] for t in TASKS]  # T steps, each on one task's gradient, in order
    assert {k.split('.')[0] for k in log if '.' in k} == set(TASKS)

    # The paper's loop by hand: per task zero grad, forward that task, backward, step.
    reference, _ = build('per_task')
    reference.set_phase('weights')
    sgd = torch.optim.SGD(weights_of(reference), **SGD)
    torch.manual_seed(1)  # same Gumbel noise, drawn in the same order
    data = reference.data_preprocessor(batch(), True)
    for task in TASKS:
        sgd.zero_grad()
        task_loss(reference, data, task).backward()
        sgd.step()
    assert_same_parameters(algorithm, reference)


def partitions(items):
    """All set partitions of ``items`` (lists of blocks)."""
    if len(items) == 1:
        yield [list(items)]
        return
    first, rest = items[0], items[1:]
    for smaller in partitions(rest):
        for i in range(len(smaller)):
            yield smaller[:i] + [[first] + smaller[i]] + smaller[i + 1:]
        yield [[first]] + smaller


def authors_resource(alpha, costs):
    """The authors' recursion (paper Eqs. 5-6, reference code), written from the equations:
    per layer, ``P(k)`` sums ``prod_t pi[t, c_t]`` over the routings that group the tasks as
    ``k``; ``p_1(k) = P_1(k)``, ``p_l(k) = P_l(k) * sum_{k' in A(k)} p_{l-1}(k')`` (``A(k)``:
    groupings ``k`` refines, itself included) for every ``k`` but all-separate, which takes the
    rest; ``R = sum_l sum_k p_l(k) |k| cost_l``."""
    num_tasks = alpha.shape[1]
    canon = [frozenset(frozenset(b) for b in k) for k in partitions(list(range(num_tasks)))]
    separate = frozenset(frozenset([t]) for t in range(num_tasks))
    groupings = [k for k in canon if k != separate]
    routings = {k: [] for k in groupings}
    for c in itertools.product(range(num_tasks), repeat=num_tasks):
        k = frozenset(frozenset(t for t in range(num_tasks) if c[t] == v) for v in set(c))
        if k in routings:
            routings[k].append(c)
    ancestors = {k: [g for g in groupings if all(any(b <= a for a in g) for b in k)]
                 for k in groupings}
    total, previous = 0, None
    for layer, cost in zip(alpha, costs):
        pi = layer.softmax(-1)
        current = {}
        for k in groupings:
            p_cond = sum(torch.stack([pi[t, c[t]] for t in range(num_tasks)]).prod()
                         for c in routings[k])
            current[k] = p_cond if previous is None else p_cond * sum(
                previous[a] for a in ancestors[k])
        p_separate = 1 - sum(current.values())
        total = total + cost * (sum(p * len(k) for k, p in current.items())
                                + p_separate * num_tasks)
        previous = current
    return total


def test_arch_gradient_equals_the_authors_formulation_with_the_resource_term_per_task():
    lam = 30.
    kwargs = dict(resource_weight=lam,
                  resource_loss=dict(type='mmmtnas.ResourceLoss', mode='paper'))
    algorithm, optim = build('per_task', **kwargs)
    generator = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name in algorithm.supernet.layer_names:
            algorithm.arch_params[name].normal_(generator=generator)
    alpha = algorithm.arch_params.stacked().detach().clone()
    steps = record_steps(optim['arch'].optimizer, algorithm, alpha_grad)
    torch.manual_seed(1)
    algorithm.train_step(dict(arch=batch()), optim)
    assert len(steps) == 1  # one Adam step per architecture batch

    reference, _ = build('per_task', **kwargs)
    reference.set_phase('arch')
    names = reference.supernet.layer_names
    with torch.no_grad():
        for i, name in enumerate(names):
            reference.arch_params[name].copy_(alpha[i])
    costs = reference.get_layer_costs().double() / 1e6  # the authors divide by their unit
    torch.manual_seed(1)
    data = reference.data_preprocessor(batch(), True)
    for task in TASKS:  # each task's loss carries its own resource term, gradients accumulate
        stacked = torch.stack([reference.arch_params[n] for n in names])
        (task_loss(reference, data, task) + lam * authors_resource(stacked.double(), costs)
         ).backward()
    grad = alpha_grad(reference)
    torch.testing.assert_close(steps[0], grad, rtol=1e-4, atol=1e-6)
    # The resource term is a large part of the gradient (counting it once would not match).
    free = alpha.clone().requires_grad_()
    resource = authors_resource(free.double(), costs)
    resource_grad = torch.autograd.grad(len(TASKS) * lam * resource, free)[0]
    assert resource_grad.abs().sum() > 0.2 * grad.abs().sum()
    torch.testing.assert_close(reference.expected_cost().double(), resource.detach())


def test_summed_update_steps_once_on_the_sum_of_the_task_losses():
    algorithm, optim = build('summed')
    weight_steps = record_steps(optim['weights'].optimizer, algorithm, heads_with_grad)
    arch_steps = record_steps(optim['arch'].optimizer, algorithm, lambda a: None)
    torch.manual_seed(1)
    algorithm.train_step(dict(weights=batch()), optim)
    assert weight_steps == [list(TASKS)]  # one step, every task's gradient in it

    # One forward of all tasks, one step on the summed loss (the behaviour before per-task).
    reference, _ = build('summed')
    reference.set_phase('weights')
    sgd = torch.optim.SGD(weights_of(reference), **SGD)
    torch.manual_seed(1)
    data = reference.data_preprocessor(batch(), True)
    feats = reference.supernet(data['inputs'])
    total = 0
    for task in TASKS:
        losses = reference.model.heads[task].loss(feats[task], data['data_samples'], None)
        total = total + reference.model.task_weights[task] * sum(
            v for k, v in losses.items() if k.startswith('loss'))
    total.backward()
    sgd.step()
    assert_same_parameters(algorithm, reference)

    expected = algorithm.resource_loss(algorithm.arch_params.probs(),
                                       algorithm.get_layer_costs() / 1e6)
    log = algorithm.train_step(dict(arch=batch()), optim)
    assert len(arch_steps) == 1
    torch.testing.assert_close(log['arch.loss_resource'].double(),
                               len(TASKS) * 0.5 * expected.detach(), rtol=1e-5, atol=0)
