"""The min-norm solver against brute force over a fine grid of the simplex."""
import functools
import itertools

import numpy as np
import pytest

from mmmtnas.models.algorithms.min_norm_solver import min_norm_element, pair_min_norm

METHODS = ('exact', 'frank_wolfe')


def _grid_two(vectors, steps=50001):
    gammas = np.linspace(0., 1., steps)
    points = gammas[:, None] * vectors[0] + (1. - gammas[:, None]) * vectors[1]
    norms = (points ** 2).sum(1)
    i = int(np.argmin(norms))
    return np.array([gammas[i], 1. - gammas[i]]), float(norms[i])


def _grid_three(vectors, steps=600):
    a = np.arange(steps + 1) / steps
    a1, a2 = np.meshgrid(a, a, indexing='ij')
    keep = a1 + a2 <= 1. + 1e-12
    alphas = np.stack([a1[keep], a2[keep], 1. - a1[keep] - a2[keep]], axis=1)
    norms = ((alphas @ vectors) ** 2).sum(1)
    i = int(np.argmin(norms))
    return alphas[i], float(norms[i])


TWO = [
    np.array([[1., 0.], [0., 2.]]),                   # interior optimum (0.8, 0.2)
    np.array([[1., 1.], [3., 3.]]),                   # collinear: the shorter one
    np.array([[1., 0., 0.], [2., 0.5, 0.]]),          # vertex optimum
    *[np.random.default_rng(s).normal(size=(2, 7)) for s in range(4)],
]


@pytest.mark.parametrize('method', METHODS)
@pytest.mark.parametrize('case', range(len(TWO)))
def test_two_vectors_match_a_fine_grid(case, method):
    vectors = TWO[case]
    alpha, value = min_norm_element(vectors @ vectors.T, method)
    grid_alpha, grid_value = _grid(2, case)
    assert alpha.sum() == pytest.approx(1.) and np.all(alpha >= 0.)
    assert value <= grid_value + 1e-9
    assert value == pytest.approx(float(((alpha @ vectors) ** 2).sum()), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(alpha, grid_alpha, atol=5e-5)  # grid step 2e-5


THREE = [
    np.array([[1., 0.], [0., 1.], [-1., 1.]]),      # optimum on an edge: alpha (0.6, 0, 0.4)
    np.array([[1., 0.], [-1., 1.], [-1., -1.]]),    # origin inside the hull: norm 0
    *[np.random.default_rng(10 + s).normal(size=(3, 6)) for s in range(4)],
]


@functools.lru_cache(maxsize=None)
def _grid(num_vectors, case):
    """The best grid point of a case, computed once for both methods."""
    if num_vectors == 2:
        return _grid_two(TWO[case])
    return _grid_three(THREE[case])


@pytest.mark.parametrize('method', METHODS)
@pytest.mark.parametrize('case', range(len(THREE)))
def test_three_vectors_match_a_fine_grid_of_the_simplex(case, method):
    vectors = THREE[case]
    alpha, value = min_norm_element(vectors @ vectors.T, method)
    grid_alpha, grid_value = _grid(3, case)
    assert alpha.sum() == pytest.approx(1.) and np.all(alpha >= 0.)
    assert value <= grid_value + 1e-9  # never worse than the best grid point
    # the grid's step is 1/600: its best point is within a step or two of the optimum
    np.testing.assert_allclose(alpha, grid_alpha, atol=4e-3)


def test_hand_solved_edge_case():
    vectors = THREE[0]
    alpha, value = min_norm_element(vectors @ vectors.T)
    np.testing.assert_allclose(alpha, [0.6, 0., 0.4], atol=1e-9)
    np.testing.assert_allclose(alpha @ vectors, [0.2, 0.4], atol=1e-9)
    assert value == pytest.approx(0.2)


def test_kkt_conditions_hold_for_many_vectors():
    # more vectors than dimensions, and beyond the exact solver's default size
    rng = np.random.default_rng(5)
    for n, method in itertools.product((5, 14), ('auto', 'frank_wolfe')):
        vectors = rng.normal(size=(n, 4)) + 1.
        gram = vectors @ vectors.T
        alpha, value = min_norm_element(gram, method, max_iters=20000, tol=1e-14)
        # optimality on the simplex: every vertex's directional derivative is >= that of x
        assert np.min(gram @ alpha) >= value - 1e-6 * np.max(np.diag(gram))


def test_pair_closed_form_and_degenerate_inputs():
    assert pair_min_norm(1., 0., 4.) == pytest.approx(0.8)
    assert pair_min_norm(1., 1., 1.) == 0.5  # a == b
    alpha, value = min_norm_element(np.zeros((3, 3)))
    np.testing.assert_allclose(alpha, [1 / 3] * 3)
    assert value == 0.
    same = np.ones((2, 3))
    alpha, value = min_norm_element(same @ same.T)
    assert alpha.sum() == pytest.approx(1.) and value == pytest.approx(3.)


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match='square'):
        min_norm_element(np.ones((2, 3)))
    with pytest.raises(ValueError, match='NaN'):
        min_norm_element(np.array([[np.nan, 0.], [0., 1.]]))
    with pytest.raises(ValueError, match='unknown method'):
        min_norm_element(np.eye(2), method='mgda')
