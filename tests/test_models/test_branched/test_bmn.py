"""BMN: RDMs, RSA affinities and the budgeted tree search against independent computations
(numpy's corrcoef, scipy's spearmanr, enumeration of every tree)."""
import itertools

import numpy as np
import pytest
from scipy.stats import spearmanr

from mmmtnas.models.branched.bmn import (layer_affinities, representation_dissimilarity,
                                         rsa_affinity, search_branching, spearman,
                                         tree_dissimilarity)
from mmmtnas.models.branched.set_partitions import set_partitions


def test_rdm_is_one_minus_the_pearson_correlation_of_image_pairs():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(6, 2, 3, 3))
    expected = 1 - np.corrcoef(features.reshape(6, -1))
    np.testing.assert_allclose(representation_dissimilarity(features), expected, atol=1e-12)


def test_spearman_matches_scipy_with_ties():
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 5, size=40), rng.integers(0, 5, size=40)  # many ties
    assert spearman(a, b) == pytest.approx(spearmanr(a, b).statistic, abs=1e-12)


def test_rsa_of_identical_permuted_and_unrelated_representations():
    """Same features -> 1; the same features with channels permuted and rescaled (the same RDM)
    -> 1; an unrelated task -> scipy's Spearman correlation of the two RDMs' upper triangles."""
    rng = np.random.default_rng(2)
    k = 8
    base = rng.normal(size=(k, 4, 5, 5))
    permuted = 3.0 * base[:, rng.permutation(4)] + 1.0
    other = rng.normal(size=(k, 4, 5, 5))
    features = {'a': {'l1': base}, 'b': {'l1': permuted}, 'c': {'l1': other}}
    affinity = layer_affinities(features, ['a', 'b', 'c'], ['l1'])
    assert affinity.shape == (1, 3, 3)
    np.testing.assert_allclose(affinity[0, 0, 1], 1.0, atol=1e-12)
    upper = np.triu_indices(k, 1)
    rdm_a = 1 - np.corrcoef(base.reshape(k, -1))
    rdm_c = 1 - np.corrcoef(other.reshape(k, -1))
    expected = spearmanr(rdm_a[upper], rdm_c[upper]).statistic
    assert affinity[0, 0, 2] == pytest.approx(expected, abs=1e-9)
    assert affinity[0, 2, 0] == affinity[0, 0, 2]
    np.testing.assert_allclose(np.diag(affinity[0]), 1)
    # reversing the ranking of one task's dissimilarities gives -1
    rdm = representation_dissimilarity(base)
    np.testing.assert_allclose(rsa_affinity([rdm, 2 - rdm])[0, 1], -1, atol=1e-12)


def test_tree_dissimilarity_by_hand():
    a = np.array([[[1, .6, .2], [.6, 1, .4], [.2, .4, 1]],
                  [[1, .9, .5], [.9, 1, .1], [.5, .1, 1]]])
    # layer 0 all shared: max(1 - A) = .8; layer 1 {0,1}{2}: mean(.1, 0) = .05
    assert tree_dissimilarity(a, [[0, 0, 0], [0, 0, 1]]) == pytest.approx(.85)
    assert tree_dissimilarity(a, [[0, 1, 2], [0, 1, 2]]) == 0


def _brute_force(affinity, costs, cap):
    """Enumerate every sequence of groupings that refines layer by layer."""
    num_layers, num_tasks = affinity.shape[:2]
    parts = set_partitions(num_tasks)
    same = [{(i, j) for i in range(num_tasks) for j in range(num_tasks) if p[i] == p[j]}
            for p in parts]
    best = None
    for chain in itertools.product(range(len(parts)), repeat=num_layers):
        if any(not same[chain[i + 1]] <= same[chain[i]] for i in range(num_layers - 1)):
            continue
        routing = [list(parts[p]) for p in chain]
        cost = sum((max(parts[p]) + 1) * c for p, c in zip(chain, costs))
        if cost > cap + 1e-9:
            continue
        key = (round(tree_dissimilarity(affinity, routing), 12), cost)
        if best is None or key < best[0]:
            best = (key, routing)
    return best


@pytest.mark.parametrize('cap', [3.0, 4.5, 6.0, 7.5, 9.0])
def test_budgeted_search_finds_the_tree_enumeration_finds(cap):
    rng = np.random.default_rng(3)
    affinity = rng.uniform(-1, 1, size=(3, 3, 3))
    affinity = (affinity + affinity.transpose(0, 2, 1)) / 2
    for a in affinity:
        np.fill_diagonal(a, 1)
    costs = [1.0, 0.5, 1.5]  # all shared 3.0, all separate 9.0
    routing, score, cost = search_branching(affinity, costs, cap)
    (best_score, best_cost), _ = _brute_force(affinity, costs, cap)
    assert score == pytest.approx(best_score, abs=1e-9)
    assert cost == pytest.approx(best_cost)
    assert cost <= cap
    assert tree_dissimilarity(affinity, routing) == pytest.approx(score)


def test_branching_only_at_the_given_layers_and_infeasible_budget():
    affinity = np.zeros((3, 2, 2))
    for a in affinity:
        np.fill_diagonal(a, 1)
    # splitting costs 1 per layer; only layer 2 may split: the tree splits there
    routing, score, cost = search_branching(affinity, [1, 1, 1], 4, split_layers=[2])
    assert routing == [[0, 0], [0, 0], [0, 1]] and cost == 4
    with pytest.raises(ValueError, match='no branched encoder fits'):
        search_branching(affinity, [1, 1, 1], 2.5)
