import itertools

import pytest
import torch

from mmmtnas.models.branched.resource_loss import (ResourceLoss, grouping_distribution,
                                                   grouping_probs)
from mmmtnas.models.branched.set_partitions import partition_tables
from mmmtnas.registry import MODELS

# (T, L): every joint routing over all layers is enumerated, (T^T)^L of them.
CASES = [(2, 3), (3, 3), (4, 2)]


def random_problem(num_tasks, num_layers, seed):
    gen = torch.Generator().manual_seed(seed)
    alpha = 1.5 * torch.randn(num_layers, num_tasks, num_tasks, generator=gen,
                              dtype=torch.float64)
    costs = 0.5 + torch.rand(num_layers, generator=gen, dtype=torch.float64)
    return alpha, costs


def brute_force_expected_cost(probs, costs):
    """Sum over every joint routing of Pr(routing) x cost of the network it derives.

    Independent of the library: routings from itertools, groups counted as the number of
    distinct route prefixes (tasks share a layer iff same copy at every layer so far).
    """
    num_layers, num_tasks, _ = probs.shape
    routings = torch.tensor(list(itertools.product(range(num_tasks), repeat=num_tasks)))
    tasks = torch.arange(num_tasks)
    layer_prob = torch.stack([probs[l][tasks, routings].prod(-1) for l in range(num_layers)])
    joint = torch.cartesian_prod(*[torch.arange(len(routings))] * num_layers)
    joint = joint.reshape(-1, num_layers)
    prob = torch.ones(len(joint), dtype=torch.float64)
    cost = torch.zeros(len(joint), dtype=torch.float64)
    prefix = torch.zeros(len(joint), num_tasks, dtype=torch.long)
    for l in range(num_layers):
        prob = prob * layer_prob[l][joint[:, l]]
        prefix = prefix * num_tasks + routings[joint[:, l]]
        ordered = prefix.sort(-1).values
        groups = 1 + (ordered[:, 1:] != ordered[:, :-1]).sum(-1)
        cost = cost + groups * costs[l]
    assert torch.isclose(prob.sum(), torch.tensor(1., dtype=torch.float64))
    return (prob * cost).sum()


@pytest.mark.parametrize('num_tasks,num_layers', CASES)
def test_exact_loss_equals_brute_force_and_paper_loss_bounds_it(num_tasks, num_layers):
    for seed in range(3):
        alpha, costs = random_problem(num_tasks, num_layers, seed)
        probs = alpha.softmax(-1)
        truth = brute_force_expected_cost(probs, costs)
        exact = ResourceLoss('exact')(probs, costs)
        paper = ResourceLoss('paper')(probs, costs)
        assert abs(float(exact - truth)) < 1e-6 * float(truth)
        assert float(paper) >= float(truth) - 1e-9
        if num_tasks > 2:  # with 2 tasks falling back to all-separate is the true meet
            assert float(paper) > float(truth) + 1e-6
        # the meet propagation of SPEC §3 (distribution over groupings) agrees too
        tables = partition_tables(num_tasks)
        dist = grouping_distribution(probs, 'exact')
        assert torch.allclose(dist.sum(-1), torch.ones(num_layers, dtype=torch.float64))
        via_meet = (dist @ tables.num_groups.double() * costs).sum()
        assert abs(float(via_meet - truth)) < 1e-6 * float(truth)


def paper_loss_by_definition(probs, costs):
    """The paper's recursion written from its definition with python sets and routings."""
    num_layers, num_tasks, _ = probs.shape
    tables = partition_tables(num_tasks)
    parts = [tuple(r) for r in tables.rgs.tolist()]
    blocks = [{frozenset(t for t in range(num_tasks) if p[t] == b) for b in set(p)}
              for p in parts]

    def refines(i, j):
        return all(any(b <= c for c in blocks[j]) for b in blocks[i])

    def part_of(routing):
        return {frozenset(t for t in range(num_tasks) if routing[t] == c) for c in set(routing)}

    separate = parts.index(tuple(range(num_tasks)))
    total, previous = 0., None
    for l in range(num_layers):
        sampled = [0.] * len(parts)
        for routing in itertools.product(range(num_tasks), repeat=num_tasks):
            k = blocks.index(part_of(routing))
            sampled[k] += float(torch.prod(probs[l][torch.arange(num_tasks),
                                                    torch.tensor(routing)]))
        current = [0.] * len(parts)
        for k in range(len(parts)):
            if k == separate:
                continue
            ancestors = 1. if previous is None else sum(
                previous[j] for j in range(len(parts)) if refines(k, j))
            current[k] = sampled[k] * ancestors
        current[separate] = 1. - sum(current)
        total += sum(p * len(blocks[k]) for k, p in enumerate(current)) * float(costs[l])
        previous = current
    return total


def test_paper_loss_follows_the_papers_recursion():
    alpha, costs = random_problem(4, 3, seed=7)
    probs = alpha.softmax(-1)
    paper = ResourceLoss('paper')(probs, costs)
    assert abs(float(paper) - paper_loss_by_definition(probs, costs)) < 1e-9


def test_layer_grouping_probabilities_match_enumeration():
    alpha, _ = random_problem(4, 2, seed=3)
    probs = alpha.softmax(-1)
    tables = partition_tables(4)
    routings = torch.tensor(list(itertools.product(range(4), repeat=4)))
    index = tables.index_of(routings)
    for l in range(2):
        by_routing = probs[l][torch.arange(4), routings].prod(-1)
        expected = torch.zeros(tables.num_partitions, dtype=torch.float64).index_add(
            0, index, by_routing)
        assert torch.allclose(grouping_probs(probs, tables)[l], expected, atol=1e-12)


@pytest.mark.parametrize('mode', ['exact', 'paper'])
@pytest.mark.parametrize('num_tasks,num_layers', [(3, 3), (4, 2)])
def test_gradient_wrt_alpha_matches_finite_differences(mode, num_tasks, num_layers):
    alpha, costs = random_problem(num_tasks, num_layers, seed=11)
    alpha.requires_grad_(True)
    loss = ResourceLoss(mode)

    def fn(a):
        return loss(a.softmax(-1), costs)

    assert torch.autograd.gradcheck(fn, (alpha, ), eps=1e-6, atol=1e-7, rtol=1e-5)
    grad, = torch.autograd.grad(fn(alpha), alpha)
    assert grad.abs().max() > 1e-3  # a real, non-vanishing gradient was checked


def test_hard_routing_exact_equals_derived_cost_and_paper_only_when_nested():
    gen = torch.Generator().manual_seed(5)
    loss_exact, loss_paper = ResourceLoss('exact'), ResourceLoss('paper')
    tables = partition_tables(4)
    refines = tables.refines()
    costs = torch.tensor([3., 1., 2., 5.], dtype=torch.float64)
    seen_nested = seen_overcount = 0
    for _ in range(40):
        routing = torch.randint(0, 4, (4, 4), generator=gen)
        if _ % 2:  # make every layer's grouping refine the previous one (a tree)
            routing = torch.cumsum(routing * 4**torch.arange(4)[:, None], 0) % 4**4
            routing = torch.stack([torch.unique(r, return_inverse=True)[1] for r in routing])
        one_hot = torch.nn.functional.one_hot(routing, 4).double()
        derived = loss_exact.derived_cost(routing, costs)
        assert float(loss_exact(one_hot, costs)) == pytest.approx(derived, abs=1e-9)
        paper = float(loss_paper(one_hot, costs))
        parts = tables.index_of(routing)
        nested = all(refines[parts[l], parts[l - 1]] for l in range(1, 4))
        if nested:
            seen_nested += 1
            assert paper == pytest.approx(derived, abs=1e-9)
        elif paper > derived + 1e-9:
            seen_overcount += 1
        assert paper >= derived - 1e-9
    assert seen_nested >= 20 and seen_overcount >= 2


def test_derived_cost_counts_groups_after_the_running_meet():
    loss = ResourceLoss()
    # tasks 0,1 share layer 0; task 2 apart; layer 1 splits 0 and 1; layer 2 joins copies
    # again, but once split tasks never share again.
    routing = torch.tensor([[0, 0, 1], [2, 1, 1], [0, 0, 0]])
    assert loss.derived_groups(routing) == [2, 3, 3]
    assert loss.derived_cost(routing, torch.tensor([10., 100., 1000.])) == 20 + 300 + 3000
    assert loss.derived_groups(torch.zeros(5, 3, dtype=torch.long)) == [1] * 5


def test_loss_is_registered_and_exact_by_default():
    loss = MODELS.build(dict(type='mmmtnas.ResourceLoss'))
    assert isinstance(loss, ResourceLoss) and loss.mode == 'exact'
    # uniform routing over 2 tasks: Pr(share) after l layers is 2^-l
    probs = torch.full((2, 2, 2), 0.5)
    value = loss(probs, torch.tensor([1., 1.]))
    assert value.dtype == torch.float32
    assert float(value) == pytest.approx((2 - 0.5) + (2 - 0.25))


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="mode must be one of"):
        ResourceLoss('upper')
    loss = ResourceLoss()
    with pytest.raises(ValueError, match=r'\[L, T, T\]'):
        loss(torch.rand(2, 3, 4), torch.ones(2))
    with pytest.raises(ValueError, match='layer_costs must have shape'):
        loss(torch.rand(2, 3, 3).softmax(-1), torch.ones(3))
    with pytest.raises(ValueError, match='copy indices'):
        loss.derived_cost(torch.tensor([[0, 3]]), torch.ones(1))


def test_sparse_pair_path_used_for_many_tasks_equals_dense_path(monkeypatch):
    alpha, costs = random_problem(4, 3, seed=2)
    probs = alpha.softmax(-1)
    dense = ResourceLoss('paper')(probs, costs)
    from mmmtnas.models.branched import resource_loss
    monkeypatch.setattr(resource_loss, 'DENSE_MAX_PARTITIONS', 0)
    assert torch.allclose(ResourceLoss('paper')(probs, costs), dense, rtol=1e-12)


def test_single_task_costs_one_copy_per_layer():
    probs = torch.ones(3, 1, 1)
    for mode in ('exact', 'paper'):
        assert float(ResourceLoss(mode)(probs, torch.tensor([1., 2., 4.]))) == pytest.approx(7.)
