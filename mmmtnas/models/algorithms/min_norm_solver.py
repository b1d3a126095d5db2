"""The minimum-norm element of the convex hull of a few vectors, from their Gram matrix.

``min_alpha ||sum_i alpha_i v_i||^2`` over the simplex (``alpha >= 0``, ``sum alpha = 1``) is the
sub-problem of MGDA (Sener & Koltun, 2018) and of Pareto MTL (Lin et al., 2019). Only the Gram
matrix ``M = V V^T`` enters (``||V^T alpha||^2 = alpha^T M alpha``), so the vectors (gradients
over millions of shared parameters) are reduced to an ``n x n`` matrix first and the solver works
in float64 on that.

Two solvers:

* ``'exact'``: enumerate the supports ``S``; on each, the minimiser over the affine hull solves
  the KKT system ``[[M_SS, 1], [1^T, 0]] [alpha; -mu] = [0; 1]``; keep the feasible
  (``alpha >= 0``) solutions and return the one of least norm. The optimum lies in the hull of an
  affinely independent subset of the vectors (Caratheodory), on which that system is regular, so
  the enumeration finds it. ``2^n`` small solves: the default for ``n <= 12`` (Pareto MTL has
  ``T`` task gradients plus at most ``K - 1`` constraint gradients).
* ``'frank_wolfe'``: pairwise Frank-Wolfe iterations with exact line search, started from the
  best pair (closed form), stopped when the duality gap is below ``tol``; for larger ``n``.
"""
import itertools
from typing import Tuple

import numpy as np

METHODS = ('auto', 'exact', 'frank_wolfe')
EXACT_MAX_VECTORS = 12


def _as_gram(gram) -> np.ndarray:
    m = np.asarray(gram, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] < 1:
        raise ValueError(f'min_norm_element: expected a square (n, n) Gram matrix with n >= 1, '
                         f'got shape {m.shape}')
    if not np.all(np.isfinite(m)):
        raise ValueError('min_norm_element: the Gram matrix has NaN or inf entries')
    return 0.5 * (m + m.T)


def pair_min_norm(m_aa: float, m_ab: float, m_bb: float) -> float:
    """Weight ``gamma`` of ``a`` in the least-norm point ``gamma a + (1 - gamma) b``.

    Args:
        m_aa (float): ``a . a``.
        m_ab (float): ``a . b``.
        m_bb (float): ``b . b``.

    Returns:
        float: ``gamma`` in ``[0, 1]`` (0.5 when ``a == b``).
    """
    denom = m_aa + m_bb - 2. * m_ab  # ||a - b||^2
    if denom <= 1e-18 * max(m_aa, m_bb, 1e-300):
        return 0.5
    return float(np.clip((m_bb - m_ab) / denom, 0., 1.))


def _best_pair(m: np.ndarray) -> np.ndarray:
    n = m.shape[0]
    alpha = np.zeros(n)
    alpha[int(np.argmin(np.diag(m)))] = 1.
    best = float(alpha @ m @ alpha)
    for i, j in itertools.combinations(range(n), 2):
        gamma = pair_min_norm(m[i, i], m[i, j], m[j, j])
        cand = np.zeros(n)
        cand[i], cand[j] = gamma, 1. - gamma
        value = float(cand @ m @ cand)
        if value < best:
            alpha, best = cand, value
    return alpha


def _exact(m: np.ndarray) -> np.ndarray:
    n = m.shape[0]
    best, best_value = None, np.inf
    tol = 1e-10
    for size in range(1, n + 1):
        for support in itertools.combinations(range(n), size):
            idx = list(support)
            kkt = np.zeros((size + 1, size + 1))
            kkt[:size, :size] = m[np.ix_(idx, idx)]
            kkt[:size, size] = 1.
            kkt[size, :size] = 1.
            rhs = np.zeros(size + 1)
            rhs[size] = 1.
            # a singular system means affinely dependent vectors (or a degenerate face); a
            # smaller support reaches the same optimum, so skip it
            if np.linalg.cond(kkt) > 1e12:
                continue
            sol = np.linalg.solve(kkt, rhs)[:size]
            if np.any(sol < -tol):
                continue
            alpha = np.zeros(n)
            alpha[idx] = np.clip(sol, 0., None)
            alpha /= alpha.sum()
            value = float(alpha @ m @ alpha)
            if value < best_value - 1e-15:
                best, best_value = alpha, value
    if best is None:  # every system singular: all vectors equal (e.g. all zero)
        best = np.full(n, 1. / n)
    return best


def _frank_wolfe(m: np.ndarray, max_iters: int, tol: float) -> np.ndarray:
    # Pairwise Frank-Wolfe (Lacoste-Julien & Jaggi, 2015): move weight from the worst vertex in
    # the support to the best vertex overall, exact line search; linear convergence on the
    # simplex, where plain Frank-Wolfe zig-zags towards an optimum on a face.
    alpha = _best_pair(m)
    for _ in range(max_iters):
        grad = m @ alpha  # (half the) gradient of alpha^T M alpha
        t = int(np.argmin(grad))
        if float(alpha @ grad) - grad[t] <= tol:  # duality gap: x cannot get shorter
            break
        support = np.flatnonzero(alpha > 0.)
        s = int(support[np.argmax(grad[support])])
        curvature = m[t, t] + m[s, s] - 2. * m[t, s]  # ||v_t - v_s||^2
        step = alpha[s] if curvature <= 0. else min(alpha[s], (grad[s] - grad[t]) / curvature)
        alpha[t] += step
        alpha[s] -= step
        alpha[s] = max(alpha[s], 0.)
    return alpha


def min_norm_element(gram, method: str = 'auto', max_iters: int = 1000,
                     tol: float = 1e-12) -> Tuple[np.ndarray, float]:
    """Weights of the least-norm point in the convex hull of vectors with Gram matrix ``gram``.

    Args:
        gram (array-like): ``(n, n)`` Gram matrix ``M[i, j] = v_i . v_j``.
        method (str): ``'exact'`` (support enumeration), ``'frank_wolfe'`` or ``'auto'``
            (exact up to 12 vectors). Defaults to 'auto'.
        max_iters (int): Frank-Wolfe iterations at most. Defaults to 1000.
        tol (float): Frank-Wolfe duality-gap tolerance, relative to the largest squared norm.
            Defaults to 1e-12.

    Returns:
        tuple[np.ndarray, float]: ``alpha`` (n,), on the simplex, and the squared norm
        ``alpha^T M alpha`` of the point, in the units of ``gram``.
    """
    if method not in METHODS:
        raise ValueError(f'min_norm_element: unknown method {method!r}; expected one of {METHODS}')
    m = _as_gram(gram)
    n = m.shape[0]
    scale = float(np.max(np.diag(m)))
    if n == 1 or scale <= 0.:
        alpha = np.full(n, 1. / n)
        return alpha, float(alpha @ m @ alpha)
    m_unit = m / scale  # the weights do not depend on the scale; the tolerances do
    if method == 'exact' or (method == 'auto' and n <= EXACT_MAX_VECTORS):
        alpha = _exact(m_unit)
    else:
        alpha = _frank_wolfe(m_unit, max_iters, tol)
    return alpha, float(alpha @ m @ alpha)
