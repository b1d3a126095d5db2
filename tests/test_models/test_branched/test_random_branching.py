"""Random trees at a matched cost: within the tolerance, valid trees, seeded; the branch file
written from a target file's costs."""
import numpy as np
import pytest

from mmmtnas.models.branched.branching_methods import random_branch_structure
from mmmtnas.models.branched.random_branching import matched_random_tree, random_tree, tree_cost
from mmmtnas.structures import load_branch_file
from mmmtnas.structures.branch_file import BranchStructure

COSTS = [5.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.5]


def _cost_by_prefix(routing, costs, stem):
    """Independent count: per layer, the distinct routing prefixes are the copies computed."""
    total = stem
    for layer, c in enumerate(costs):
        total += c * len({tuple(row[t] for row in routing[:layer + 1])
                          for t in range(len(routing[0]))})
    return total


def test_random_trees_are_valid_and_cover_the_range():
    rng = np.random.default_rng(0)
    costs = set()
    for _ in range(300):
        routing = random_tree(4, len(COSTS), rng)
        BranchStructure.from_routing(list('abcd'), [f'l{i}' for i in range(len(COSTS))],
                                     routing)  # validates
        for upper, lower in zip(routing, routing[1:]):  # groups only split going deeper
            assert all(lower[i] != lower[j] or upper[i] == upper[j]
                       for i in range(4) for j in range(4))
        costs.add(tree_cost(routing, COSTS))
    shared, separate = sum(COSTS), 4 * sum(COSTS)  # all shared / all separate
    assert min(costs) < shared + 0.2 * (separate - shared)
    assert max(costs) > separate - 0.2 * (separate - shared)
    assert len(costs) > 20


@pytest.mark.parametrize('target', [24.0, 40.0, 55.0])
def test_matched_tree_is_within_the_tolerance_and_seeded(target):
    routing, cost, draws = matched_random_tree(4, COSTS, target, tolerance=0.03, seed=7,
                                               stem=2.0)
    assert cost == pytest.approx(_cost_by_prefix(routing, COSTS, 2.0))
    assert abs(cost - target) <= 0.03 * target
    assert draws >= 1
    again = matched_random_tree(4, COSTS, target, tolerance=0.03, seed=7, stem=2.0)
    assert again[0] == routing
    others = {str(matched_random_tree(4, COSTS, target, 0.03, seed=s, stem=2.0)[0])
              for s in range(6)}
    assert len(others) > 1


def test_unreachable_target_is_one_clear_error():
    with pytest.raises(ValueError, match='outside'):
        matched_random_tree(4, COSTS, 200.0)


def test_random_branch_file_matches_the_target_file(tmp_path):
    tasks, layers = ['seg', 'sal', 'normals'], [f'layer{i}' for i in range(len(COSTS))]
    routing = [[0, 0, 0]] * 3 + [[0, 0, 1]] * 3 + [[0, 1, 2]] * 2
    target = BranchStructure.from_routing(
        tasks, layers, routing,
        madds=dict(input_size=[64, 64], stem=2.0,
                   layer_costs=dict(zip(layers, COSTS)), derived=0.0))
    path = str(tmp_path / 'target.yaml')
    target.dump(path)
    goal = _cost_by_prefix(routing, COSTS, 2.0)
    found = random_branch_structure(path, tolerance=0.02, seed=3)
    out = str(tmp_path / 'random.yaml')
    found.dump(out)
    loaded = load_branch_file(out)
    assert loaded.tasks == tasks and loaded.layers == layers
    assert abs(loaded.madds['derived'] - goal) <= 0.02 * goal
    assert loaded.madds['derived'] == pytest.approx(
        _cost_by_prefix(loaded.routing_matrix(), COSTS, 2.0))
    assert loaded.meta['method'] == 'random' and loaded.meta['target_madds'] == goal
