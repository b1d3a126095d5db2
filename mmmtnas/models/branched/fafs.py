"""FAFS (Lu et al., "Fully-adaptive Feature Sharing in Multi-Task Networks", CVPR 2017): the
task grouping of every encoder layer, decided greedily from the last layer down.

The affinity of two tasks is the probability that an image is easy for both or difficult for
both, measured on a network pre-trained with a fully shared encoder. An image is *easy* for a
task when its loss is at most the task's median (or mean) loss over the images (the BMTAS
appendix uses each task's loss to rank sample difficulty, as FAFS uses the prediction error).

Walking from the last layer to the first, the branches of the layer above (at the top: one
branch per task) are grouped into ``d`` groups that share this layer; each grouping ``g`` is
scored by FAFS's objective::

    L(g) = L_b(g) + penalty * (d - 1) * cost_l / mean_cost
    L_b(g) = sum over groups G of (1 - s(G)),   s(G) = min over branch pairs (k, m) in G of
             A_b(k, m)   (s = 1 for a single branch)
    A_b(k, m) = (mean_{i in k} min_{j in m} A[i, j] + mean_{j in m} min_{i in k} A[i, j]) / 2

(``A_b``: FAFS's affinity of two branches, the average of the two directed "maximum distance"
affinities.) FAFS weighs the ``d - 1`` new branches by a unit cost that doubles below every
pooling layer; here, as the BMTAS comparison counts cost, by the layer's measured MAdds relative
to the mean layer. Every grouping of the current branches is tried (Bell(n) of them), the one
with the lowest ``L`` is kept (ties: fewer groups, then the first in enumeration order), and the
layers below can only merge it further. Larger ``penalty`` gives cheaper trees.
"""
from typing import List, Sequence, Tuple

import numpy as np

from .set_partitions import blocks_of, set_partitions

THRESHOLDS = ('median', 'mean')


def easy_samples(losses: np.ndarray, threshold: str = 'median') -> np.ndarray:
    """Mark each image easy (True) or difficult (False) for each task.

    Args:
        losses (np.ndarray): ``[N, T]`` per-image loss of each task.
        threshold (str): 'median' or 'mean' of each task's losses; at most it is easy.

    Returns:
        np.ndarray: ``bool[N, T]``.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if losses.ndim != 2 or losses.shape[0] < 1:
        raise ValueError(f'losses must be [N images, T tasks], got shape {losses.shape}')
    if not np.isfinite(losses).all():
        raise ValueError('losses hold non-finite values')
    if threshold not in THRESHOLDS:
        raise ValueError(f'threshold must be one of {THRESHOLDS}, got {threshold!r}')
    level = np.median(losses, axis=0) if threshold == 'median' else losses.mean(axis=0)
    return losses <= level


def task_affinity(easy: np.ndarray) -> np.ndarray:
    """FAFS task affinity: the fraction of images easy for both tasks or difficult for both.

    Args:
        easy (np.ndarray): ``bool[N, T]`` from :func:`easy_samples`.

    Returns:
        np.ndarray: ``[T, T]`` symmetric, ones on the diagonal.
    """
    e = np.asarray(easy, dtype=np.float64)
    return (e.T @ e + (1 - e).T @ (1 - e)) / e.shape[0]


def branch_affinity(affinity: np.ndarray, first: Sequence[int], second: Sequence[int]) -> float:
    """FAFS affinity of two branches (sets of tasks), see the module docstring."""
    sub = np.asarray(affinity)[np.ix_(list(first), list(second))]
    return float((sub.min(axis=1).mean() + sub.min(axis=0).mean()) / 2)


def separation_loss(affinity: np.ndarray, groups: Sequence[Sequence[Sequence[int]]]) -> float:
    """``L_b``: sum over groups of ``1 -`` the lowest branch affinity inside the group.

    Args:
        affinity (np.ndarray): ``[T, T]`` task affinity.
        groups: Each group is a list of branches, each branch a list of task indices.

    Returns:
        float: The loss (0 when every group is one branch).
    """
    loss = 0.0
    for group in groups:
        if len(group) > 1:
            loss += 1 - min(branch_affinity(affinity, group[a], group[b])
                            for a in range(len(group)) for b in range(a + 1, len(group)))
    return loss


def fafs_branching(affinity: np.ndarray, layer_costs: Sequence[float],
                   penalty: float) -> Tuple[List[List[int]], List[dict]]:
    """Group the tasks at every layer, greedily from the last layer down.

    Args:
        affinity (np.ndarray): ``[T, T]`` task affinity (:func:`task_affinity`).
        layer_costs (Sequence[float]): Cost of one copy of each layer, first to last.
        penalty (float): Weight of the complexity term (>= 0).

    Returns:
        tuple: ``routing`` (``[L][T]`` group index of each task per layer, the layout of
        :meth:`BranchStructure.from_routing`) and one record per layer (top-down order:
        ``layer`` index, chosen ``groups`` of tasks, ``loss`` and ``separation``).
    """
    affinity = np.asarray(affinity, dtype=np.float64)
    num_tasks = affinity.shape[0]
    if affinity.shape != (num_tasks, num_tasks):
        raise ValueError(f'affinity must be [T, T], got shape {affinity.shape}')
    costs = np.asarray(layer_costs, dtype=np.float64)
    if costs.ndim != 1 or len(costs) < 1 or (costs < 0).any():
        raise ValueError(f'layer_costs must be non-negative, one per layer; got {layer_costs}')
    if penalty < 0:
        raise ValueError(f'penalty must be >= 0, got {penalty}')
    unit = costs.mean() if costs.mean() > 0 else 1.0
    branches: List[Tuple[int, ...]] = [(t, ) for t in range(num_tasks)]
    routing = [[0] * num_tasks for _ in costs]
    records = []
    for layer in range(len(costs) - 1, -1, -1):
        best = None
        for rgs in set_partitions(len(branches)):
            groups = [[branches[b] for b in block] for block in blocks_of(rgs)]
            sep = separation_loss(affinity, groups)
            loss = sep + penalty * (len(groups) - 1) * costs[layer] / unit
            key = (round(loss, 12), len(groups))
            if best is None or key < best[0]:
                best = (key, groups, loss, sep)
        _, groups, loss, sep = best
        branches = [tuple(sorted(t for branch in group for t in branch)) for group in groups]
        branches.sort()
        for index, branch in enumerate(branches):
            for t in branch:
                routing[layer][t] = index
        records.append(dict(layer=layer, groups=[list(b) for b in branches], loss=float(loss),
                            separation=float(sep)))
    return routing, records
