"""BMN (Vandenhende et al., "Branched Multi-Task Networks: Deciding What Layers To Share",
BMVC 2020): task affinities from representational similarity, then the branched encoder with the
lowest task dissimilarity below a MAdds budget.

Affinity (representational similarity analysis, RSA). At every branching point (here: every
encoder layer) each task's single-task network encodes the same ``K`` images. A task's
representation dissimilarity matrix (RDM) holds ``1 - Pearson correlation`` of the flattened
features of every image pair; the affinity of two tasks is the Spearman rank correlation of the
upper triangles (diagonal excluded) of their RDMs.

Tree score. A branched encoder groups the tasks at every layer (tasks in one group share that
layer); its dissimilarity is ``sum over layers of the mean over the layer's groups of the largest
1 - A[l, i, j] inside the group`` (0 for a single task). The search returns the tree with the
lowest dissimilarity among all trees whose MAdds ``sum_l (number of groups at l) * cost_l`` stay
at or below the budget (ties: the cheaper tree). BMN enumerates the candidate trees; the same
optimum is found here by dynamic programming over (layer, grouping) that keeps, per state, every
(cost, dissimilarity) pair no other pair beats in both: exact, and it checks the same pool of
trees (``tests/test_models/test_branched/test_bmn.py`` compares it with plain enumeration).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .set_partitions import partition_tables


def representation_dissimilarity(features) -> np.ndarray:
    """RDM of ``K`` images: ``1 - Pearson correlation`` of every pair of feature vectors.

    Args:
        features (array-like): ``[K, ...]`` features of ``K`` images (flattened per image).

    Returns:
        np.ndarray: ``[K, K]``, zeros on the diagonal.
    """
    x = torch.as_tensor(np.asarray(features) if not torch.is_tensor(features) else features)
    x = x.reshape(x.shape[0], -1).double()
    if x.shape[0] < 3:
        raise ValueError(f'an RDM needs at least 3 images, got {x.shape[0]}')
    x = x - x.mean(dim=1, keepdim=True)
    norm = x.norm(dim=1, keepdim=True)
    if (norm == 0).any():
        raise ValueError('an image has constant features: its correlation is undefined')
    x = x / norm
    return (1 - x @ x.T).clamp_(0, 2).fill_diagonal_(0).numpy()


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties given their average rank (what Spearman's correlation uses)."""
    order = np.argsort(values, kind='mergesort')
    sorted_values = values[order]
    ranks = np.empty(len(values), dtype=np.float64)
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and sorted_values[end + 1] == sorted_values[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(first: np.ndarray, second: np.ndarray) -> float:
    """Spearman rank correlation of two vectors (Pearson correlation of their average ranks)."""
    a, b = _average_ranks(np.asarray(first)), _average_ranks(np.asarray(second))
    a, b = a - a.mean(), b - b.mean()
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    if denom == 0:
        raise ValueError('Spearman correlation of a constant vector is undefined')
    return float((a * b).sum() / denom)


def rsa_affinity(rdms: Sequence[np.ndarray]) -> np.ndarray:
    """Task affinity at one layer: Spearman correlation of the RDMs' upper triangles.

    Args:
        rdms (Sequence[np.ndarray]): One ``[K, K]`` RDM per task.

    Returns:
        np.ndarray: ``[T, T]`` symmetric, ones on the diagonal.
    """
    k = rdms[0].shape[0]
    upper = np.triu_indices(k, 1)
    vectors = [np.asarray(r)[upper] for r in rdms]
    num = len(vectors)
    out = np.eye(num)
    for i in range(num):
        for j in range(i + 1, num):
            out[i, j] = out[j, i] = spearman(vectors[i], vectors[j])
    return out


def layer_affinities(features: Dict[str, Dict[str, object]], tasks: Sequence[str],
                     layers: Sequence[str]) -> np.ndarray:
    """RSA affinity at every layer.

    Args:
        features (dict): ``features[task][layer]`` -> ``[K, ...]`` features of the same ``K``
            images (from that task's single-task network).
        tasks (Sequence[str]): Task order of the result.
        layers (Sequence[str]): Layer order of the result.

    Returns:
        np.ndarray: ``[L, T, T]``.
    """
    return np.stack([rsa_affinity([representation_dissimilarity(features[t][layer])
                                   for t in tasks]) for layer in layers])


def group_dissimilarity(affinity: np.ndarray, group: Sequence[int]) -> float:
    """The largest ``1 - A[i, j]`` over task pairs of a group (0 for one task)."""
    if len(group) < 2:
        return 0.0
    sub = np.asarray(affinity)[np.ix_(list(group), list(group))]
    return float((1 - sub).max())


def tree_dissimilarity(affinity: np.ndarray, routing: Sequence[Sequence[int]]) -> float:
    """Dissimilarity of a branched encoder (see the module docstring).

    Args:
        affinity (np.ndarray): ``[L, T, T]``.
        routing (Sequence[Sequence[int]]): ``[L][T]`` copy of each task per layer (tasks share
            layer ``l`` when their copies agree at every layer up to ``l``).

    Returns:
        float: The score; lower is better.
    """
    total, prefix = 0.0, [()] * len(routing[0])
    for layer, row in enumerate(routing):
        prefix = [p + (c, ) for p, c in zip(prefix, row)]
        groups: Dict[tuple, List[int]] = {}
        for t, p in enumerate(prefix):
            groups.setdefault(p, []).append(t)
        total += np.mean([group_dissimilarity(affinity[layer], g) for g in groups.values()])
    return float(total)


def _pareto(entries: List[tuple]) -> List[tuple]:
    """Keep the (cost, score, ...) entries no other entry beats in both cost and score."""
    entries.sort(key=lambda e: (e[0], e[1]))
    kept, best = [], None
    for entry in entries:
        if best is None or entry[1] < best - 1e-12:
            kept.append(entry)
            best = entry[1]
    return kept


def search_branching(affinity: np.ndarray, layer_costs: Sequence[float], max_cost: float,
                     split_layers: Optional[Sequence[int]] = None
                     ) -> Tuple[List[List[int]], float, float]:
    """The tree with the lowest dissimilarity whose cost is at most ``max_cost``.

    Args:
        affinity (np.ndarray): ``[L, T, T]`` (:func:`layer_affinities`).
        layer_costs (Sequence[float]): Cost of one copy of each layer.
        max_cost (float): Budget on ``sum_l (groups at l) * cost_l`` (the stem not included).
        split_layers (Sequence[int], optional): Layers at which the grouping may change (BMN's
            branching locations); elsewhere a layer keeps the grouping of the layer before it
            (the first layer: all shared). Defaults to every layer.

    Returns:
        tuple: ``routing`` (``[L][T]``), its dissimilarity and its cost.
    """
    affinity = np.asarray(affinity, dtype=np.float64)
    num_layers, num_tasks = affinity.shape[0], affinity.shape[1]
    costs = [float(c) for c in layer_costs]
    if len(costs) != num_layers:
        raise ValueError(f'got {len(costs)} layer costs for {num_layers} affinity layers')
    free = set(range(num_layers)) if split_layers is None else set(split_layers)
    tables = partition_tables(num_tasks)
    rgs = tables.rgs.tolist()
    groups = [[[t for t in range(num_tasks) if r[t] == b] for b in range(max(r) + 1)]
              for r in rgs]
    sizes = [len(g) for g in groups]
    refines = tables.refines().numpy()  # [k, g]: k refines g
    finer = [np.nonzero(refines[:, g])[0].tolist() for g in range(len(rgs))]
    # cheapest completion from layer l on, keeping the grouping's number of groups
    tail = np.concatenate([np.cumsum(costs[::-1])[::-1], [0.0]])
    score = [[np.mean([group_dissimilarity(affinity[layer], g) for g in groups[p]])
              for p in range(len(rgs))] for layer in range(num_layers)]
    # fronts[p]: Pareto list of (cost, dissimilarity, previous partition, index in its front)
    fronts: List[Dict[int, List[tuple]]] = []
    previous = {tables.all_shared: [(0.0, 0.0, None, None)]}
    for layer in range(num_layers):
        current: Dict[int, List[tuple]] = {}
        for p_prev, front in previous.items():
            for p in (finer[p_prev] if layer in free else [p_prev]):
                add_cost = sizes[p] * costs[layer]
                for index, (cost, dis, _, _) in enumerate(front):
                    new_cost = cost + add_cost
                    if new_cost + sizes[p] * tail[layer + 1] > max_cost + 1e-9 * max(1, max_cost):
                        continue
                    current.setdefault(p, []).append(
                        (new_cost, dis + score[layer][p], p_prev, index))
        current = {p: _pareto(entries) for p, entries in current.items()}
        if not current:
            cheapest = sum(costs)
            raise ValueError(f'no branched encoder fits max_cost={max_cost:g}: the cheapest '
                             f'(all shared) costs {cheapest:g}')
        fronts.append(current)
        previous = current
    last = min(((e[1], e[0], p, i) for p, front in fronts[-1].items()
                for i, e in enumerate(front)), key=lambda x: (round(x[0], 12), x[1]))
    dissimilarity, cost, p, index = last
    chain = []
    for layer in range(num_layers - 1, -1, -1):
        chain.append(p)
        _, _, p_prev, prev_index = fronts[layer][p][index]
        p, index = p_prev, prev_index
    chain.reverse()
    routing = [list(rgs[p]) for p in chain]
    return routing, float(dissimilarity), float(cost)
