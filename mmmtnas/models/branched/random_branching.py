"""Random branched encoders at a matched cost (the 'random' structures of BMTAS Fig. 2).

A random tree starts all shared and splits ``T - 1`` times: each split takes a group of at least
two tasks (uniformly) and divides it into two non-empty parts (uniformly over the
bipartitions), at a layer drawn uniformly from ``0..L`` (``L``: after the encoder, i.e. the two
parts only part in their heads); splits are applied in layer order. Every tree is reachable
(splits may fall on the same layer). :func:`matched_random_tree` draws such trees, seeded, until
one costs within ``tolerance`` of the target.
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmmtnas.structures.branch_file import BranchStructure, branch_groups


def random_tree(num_tasks: int, num_layers: int, rng: np.random.Generator) -> List[List[int]]:
    """Draw one random tree (see the module docstring).

    Args:
        num_tasks (int): ``T``.
        num_layers (int): ``L``.
        rng (np.random.Generator): The random source.

    Returns:
        list[list[int]]: ``[L][T]`` routing (group index of each task per layer).
    """
    positions = np.sort(rng.integers(0, num_layers + 1, size=max(num_tasks - 1, 0)))
    groups = [list(range(num_tasks))]
    routing, split = [], 0
    for layer in range(num_layers):
        while split < len(positions) and positions[split] <= layer:
            splittable = [g for g in groups if len(g) > 1]
            group = splittable[rng.integers(len(splittable))]
            # a non-empty proper subset holding the group's first task: uniform bipartition
            mask = rng.integers(1, 2**(len(group) - 1))
            part = [group[0]] + [t for i, t in enumerate(group[1:]) if mask >> i & 1 == 0]
            rest = [t for t in group if t not in part]
            groups.remove(group)
            groups += [part, rest]
            split += 1
        row = [0] * num_tasks
        for index, group in enumerate(sorted(groups)):
            for t in group:
                row[t] = index
        routing.append(row)
    return routing


def tree_cost(routing: Sequence[Sequence[int]], layer_costs: Sequence[float],
              stem: float = 0.0) -> float:
    """Cost of a branched encoder: the stem plus, per layer, one copy per group of tasks."""
    tasks = [str(t) for t in range(len(routing[0]))]
    layers = [str(layer) for layer in range(len(routing))]
    groups = branch_groups({t: {layer: routing[i][int(t)] for i, layer in enumerate(layers)}
                            for t in tasks}, tasks, layers)
    return float(stem) + sum(len(groups[layer]) * float(c)
                             for layer, c in zip(layers, layer_costs))


def matched_random_tree(num_tasks: int, layer_costs: Sequence[float], target: float,
                        tolerance: float = 0.02, seed: int = 0, stem: float = 0.0,
                        max_draws: int = 100000) -> Tuple[List[List[int]], float, int]:
    """Draw random trees until one costs within ``tolerance`` (relative) of ``target``.

    Args:
        num_tasks (int): ``T``.
        layer_costs (Sequence[float]): Cost of one copy of each layer.
        target (float): The cost to match (stem included).
        tolerance (float): Largest relative difference ``|cost - target| / target``.
        seed (int): Seed of the draws (same seed, same tree).
        stem (float): Cost of the shared stem, added to every tree.
        max_draws (int): Give up after this many draws.

    Returns:
        tuple: ``routing`` (``[L][T]``), its cost and the number of draws it took.
    """
    if target <= 0 or tolerance < 0:
        raise ValueError(f'target must be > 0 and tolerance >= 0, got {target}, {tolerance}')
    low = tree_cost([[0] * num_tasks for _ in layer_costs], layer_costs, stem)
    high = tree_cost([list(range(num_tasks)) for _ in layer_costs], layer_costs, stem)
    if not low * (1 - 1e-9) <= target * (1 + tolerance) or target * (1 - tolerance) > high:
        raise ValueError(f'target cost {target:g} is outside the trees\' range [{low:g} (all '
                         f'shared), {high:g} (all separate)]')
    rng = np.random.default_rng(seed)
    closest: Optional[float] = None
    for draw in range(1, max_draws + 1):
        routing = random_tree(num_tasks, len(layer_costs), rng)
        cost = tree_cost(routing, layer_costs, stem)
        if abs(cost - target) <= tolerance * target:
            return routing, cost, draw
        if closest is None or abs(cost - target) < abs(closest - target):
            closest = cost
    raise ValueError(f'no random tree within {tolerance:.1%} of {target:g} in {max_draws} draws '
                     f'(closest {closest:g}); raise the tolerance')


def structure_costs(structure: BranchStructure, source: str) -> Tuple[List[float], float]:
    """The per-layer costs and the stem cost a branch file states (``madds``).

    Args:
        structure (BranchStructure): A loaded branch file.
        source (str): Its name, for the error message.

    Returns:
        tuple: ``layer_costs`` (in ``structure.layers`` order) and ``stem``.
    """
    madds = structure.madds or {}
    costs = madds.get('layer_costs')
    if not isinstance(costs, dict) or set(costs) != set(structure.layers):
        raise ValueError(f'{source}: madds.layer_costs must give the cost of every layer '
                         f'{structure.layers} (branch files written by a search, FAFS or BMN '
                         'have it)')
    return [float(costs[layer]) for layer in structure.layers], float(madds.get('stem', 0.0))
