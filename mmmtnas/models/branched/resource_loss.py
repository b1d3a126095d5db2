"""The BMTAS resource loss: expected multiply-adds of a branched encoder sampled from alpha.

Notation (SPEC §3): ``pi_l[t, c] = softmax(alpha_l[t])[c]``; a routing ``c_l in {0..T-1}^T``
induces the grouping ``part(c_l)`` (tasks that take the same copy share);
``P_l(k) = sum_{c : part(c) = k} prod_t pi_l[t, c_t]``. Tasks share computation at layer
``l`` only if they took the same copy at every layer up to ``l``, so the grouping of the derived
network after layer ``l`` is ``G_l = meet(G_{l-1}, part(c_l))`` with ``G_0`` all-shared, and its
cost is ``sum_l |G_l| * MAdds_l``.

Two modes:

- ``'exact'`` (default): ``E[sum_l |G_l| MAdds_l]``, the true expected cost of the network
  that is derived. Computed without enumerating groupings: for a task subset ``A``,
  ``Pr(A inside one block of G_l) = prod_{j<=l} s_j(A)`` with
  ``s_j(A) = sum_c prod_{t in A} pi_j[t, c]`` (the layers are sampled independently, and ``A``
  stays together iff it picks one copy at every layer), and by inclusion-exclusion on "task
  ``t`` is the smallest of its block", ``E|G_l| = sum_{A != {}} (-1)^(|A|-1) Pr(A together)``.
  Cost ``O(L 2^T T)``: no Bell(T) or T^T term. It equals the meet propagation
  ``p_l(g) = sum_{meet(g', k) = g} p_{l-1}(g') P_l(k)`` (:func:`grouping_distribution`; the
  tests check both against brute force).
- ``'paper'``: the recursion of the paper and its reference code,
  ``p_1(k) = P_1(k)``; ``p_l(k) = P_l(k) sum_{k' in A(k)} p_{l-1}(k')`` for ``k`` not
  all-separate, ``A(k)`` = groupings that ``k`` refines (``k`` included);
  ``p_l(all-separate) = 1 - sum of the others``; ``L_R = sum_l sum_k p_l(k) |k| MAdds_l``.
  It is the cost of a process in which a layer whose sampled grouping does not refine the
  previous one falls back to all-separate, so its grouping is always finer than the true one:
  an upper bound on the true expectation. Even for a hard routing it overcounts unless each
  layer's grouping refines the previous one (e.g. groupings {0,1}{2,3} then {0,1,2}{3}: the
  derived network has {0,1}{2}{3}, 3 groups; the recursion counts 4).

Both compute in float64 internally (the Möbius inversion of the paper mode alternates signs
with factorial weights) and return the promoted dtype of ``probs`` and ``layer_costs``.
"""
import functools
from typing import List

import torch
import torch.nn as nn
from torch import Tensor

from mmmtnas.registry import MODELS
from .set_partitions import PartitionTables, partition_tables

MODES = ('exact', 'paper')


def subset_agreement(probs: Tensor) -> Tensor:
    """``s_l(A) = sum_c prod_{t in A} pi_l[t, c]`` for every task subset ``A``.

    Args:
        probs (Tensor): ``[L, T, T]`` routing probabilities.

    Returns:
        Tensor: ``[L, 2^T]``, subset ``A`` at index ``sum_{t in A} 2^t`` (``s(empty) = T``).
    """
    prods = probs.new_ones(probs.shape[0], 1, probs.shape[-1])  # [L, subsets, copies]
    for t in range(probs.shape[1]):  # subsets with bit t = subsets without it, times pi[t]
        prods = torch.cat([prods, prods * probs[:, t:t + 1, :]], dim=1)
    return prods.sum(-1)


# Dense refinement and Möbius matrices up to Bell(7) = 877 (6 MB each in float64): the Möbius
# inversion is one mat-mul and the paper recursion's per-layer sum over A(k) one mat-vec, much
# faster (forward and backward) than gathers and scatters over the refinement pairs. Larger T
# uses the pairs.
DENSE_MAX_PARTITIONS = 1000


@functools.lru_cache(maxsize=None)
def _constants(num_tasks: int, kind: str, device: str) -> Tensor:
    """alpha-independent tensors, built once per ``T`` and device (float64 / long)."""
    if kind == 'subset_signs':  # (-1)^(|A|-1) for non-empty A, 0 for the empty set
        masks = torch.arange(1 << num_tasks)
        sizes = ((masks[:, None] >> torch.arange(num_tasks)) & 1).sum(-1)
        out = torch.where(sizes % 2 == 1, 1.0, -1.0).double()
        out[0] = 0.
    else:
        tables = partition_tables(num_tasks)
        if kind == 'refines_dense':
            out = tables.refines().double()
        elif kind == 'mobius_dense':  # [k, g] = mu(k, g) for k <= g, else 0
            n = tables.num_partitions
            out = torch.zeros(n, n, dtype=torch.float64)
            out[tables.refine_pairs[0], tables.refine_pairs[1]] = tables.mobius
        elif kind == 'mobius':
            out = tables.mobius
        elif kind == 'num_groups':
            out = tables.num_groups.double()
        else:  # a long table attribute: block_masks, refine_pairs
            out = getattr(tables, kind)
    return out.to(device)


def _const(num_tasks: int, kind: str, like: Tensor) -> Tensor:
    return _constants(num_tasks, kind, str(like.device))


def expected_groups_exact(probs: Tensor) -> Tensor:
    """``E|G_l|`` per layer for the derived network (see the module docstring).

    Args:
        probs (Tensor): ``[L, T, T]`` routing probabilities.

    Returns:
        Tensor: ``[L]`` expected number of groups after each layer.
    """
    together = subset_agreement(probs).cumprod(dim=0)  # Pr(A in one block of G_l)
    return together @ _const(probs.shape[1], 'subset_signs', together).to(together)


def grouping_probs(probs: Tensor, tables: PartitionTables) -> Tensor:
    """``P_l(k)``: probability that layer ``l``'s routing induces grouping ``k``.

    Uses ``F_l(g) = Pr(part(c_l) coarsens g) = prod_{blocks b of g} s_l(b)`` and Möbius
    inversion on the partition lattice, ``P_l(k) = sum_{g >= k} mu(k, g) F_l(g)``, instead of
    summing over the ``T^T`` routings. Use float64 ``probs`` (signs alternate).

    Args:
        probs (Tensor): ``[L, T, T]`` routing probabilities.
        tables (PartitionTables): Tables of ``T`` tasks.

    Returns:
        Tensor: ``[L, B]``.
    """
    num_tasks = tables.num_tasks
    agree = subset_agreement(probs)
    agree = torch.cat([agree.new_ones(agree.shape[0], 1), agree[:, 1:]], dim=1)  # pad: 1
    coarse_prob = agree[:, _const(num_tasks, 'block_masks', probs)].prod(-1)  # F_l(g)
    if tables.num_partitions <= DENSE_MAX_PARTITIONS:
        return coarse_prob @ _const(num_tasks, 'mobius_dense', probs).to(coarse_prob).T
    fine, coarse = _const(num_tasks, 'refine_pairs', probs)
    terms = coarse_prob[:, coarse] * _const(num_tasks, 'mobius', probs).to(coarse_prob)
    return coarse_prob.new_zeros(coarse_prob.shape).index_add(1, fine, terms)


def grouping_distribution(probs: Tensor, mode: str = 'exact') -> Tensor:
    """Distribution over groupings after each layer, ``p_l(g)``, ``[L, B]`` (float64).

    ``'exact'`` propagates with the meet table, ``'paper'`` runs the paper's recursion; both
    as written in SPEC §3. Partition index order is that of
    :func:`~mmmtnas.models.branched.set_partitions.partition_tables`.

    Args:
        probs (Tensor): ``[L, T, T]`` routing probabilities.
        mode (str): 'exact' or 'paper'.

    Returns:
        Tensor: ``[L, B]``.
    """
    _check_mode(mode)
    tables = partition_tables(probs.shape[-1])
    probs = probs.double()
    sampled = grouping_probs(probs, tables)  # P_l(k)
    if mode == 'paper':
        return _paper_recursion(sampled, tables)
    meet = tables.meet_table().to(probs.device).reshape(-1)
    current = sampled.new_zeros(sampled.shape[1])
    current[tables.all_shared] = 1.
    out = []
    for layer_sampled in sampled:
        joint = (current[:, None] * layer_sampled[None, :]).reshape(-1)
        current = current.new_zeros(current.shape).index_add(0, meet, joint)
        out.append(current)
    return torch.stack(out)


def _paper_recursion(sampled: Tensor, tables: PartitionTables) -> Tensor:
    num_tasks = tables.num_tasks
    dense = tables.num_partitions <= DENSE_MAX_PARTITIONS
    if dense:
        refines = _const(num_tasks, 'refines_dense', sampled).to(sampled)  # [k, g]: k <= g
    else:
        fine, coarse = _const(num_tasks, 'refine_pairs', sampled)
    separate = tables.all_separate
    keep = torch.ones(sampled.shape[1], dtype=sampled.dtype, device=sampled.device)
    keep[separate] = 0.
    out = []
    previous = None
    for layer_sampled in sampled:
        if previous is None:
            current = layer_sampled * keep
        else:
            # sum over A(k) of p_{l-1}(k'): the groupings k refines, k included
            if dense:
                ancestors = refines @ previous
            else:
                ancestors = previous.new_zeros(previous.shape).index_add(
                    0, fine, previous[coarse])
            current = layer_sampled * ancestors * keep
        current = current + (1. - current.sum()) * (1. - keep)
        out.append(current)
        previous = current
    return torch.stack(out)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f'ResourceLoss mode must be one of {MODES}, got {mode!r}')


@MODELS.register_module()
class ResourceLoss(nn.Module):
    """Expected MAdds of the branched encoder sampled from the routing probabilities.

    ``mode='exact'`` (default) is the true expected cost of the derived network (grouping after
    a layer = meet of the grouping before it and the sampled one); ``mode='paper'`` is the
    recursion of the BMTAS paper and its code, an upper bound on it. Exact is the default
    because it is what the derived network costs, so ``lambda`` trades accuracy against the
    real cost, and because it is cheaper (``O(L 2^T T)``, no Bell(T) terms). See the module
    docstring for the formulas.

    Args:
        mode (str): 'exact' or 'paper'. Defaults to 'exact'.
    """

    def __init__(self, mode: str = 'exact') -> None:
        super().__init__()
        _check_mode(mode)
        self.mode = mode

    def extra_repr(self) -> str:
        return f'mode={self.mode!r}'

    def expected_groups(self, probs: Tensor) -> Tensor:
        """Expected number of groups after each layer, ``[L]`` (float64).

        Args:
            probs (Tensor): ``[L, T, T]``, ``probs[l, t, c] = softmax(alpha_l[t])[c]``.

        Returns:
            Tensor: ``[L]``.
        """
        _check_probs(probs)
        probs = probs.double()
        if self.mode == 'exact':
            return expected_groups_exact(probs)
        tables = partition_tables(probs.shape[-1])
        dist = _paper_recursion(grouping_probs(probs, tables), tables)
        return dist @ _const(tables.num_tasks, 'num_groups', dist).to(dist)

    def forward(self, probs: Tensor, layer_costs: Tensor) -> Tensor:
        """Expected cost ``sum_l E|G_l| * layer_costs[l]``.

        Args:
            probs (Tensor): ``[L, T, T]`` routing probabilities (rows sum to 1).
            layer_costs (Tensor): ``[L]`` cost of one copy of each layer (MAdds, or any unit).

        Returns:
            Tensor: Scalar, differentiable w.r.t. ``probs``.
        """
        layer_costs = torch.as_tensor(layer_costs, device=probs.device)
        if layer_costs.shape != probs.shape[:1]:
            raise ValueError(f'layer_costs must have shape [L]=[{probs.shape[0]}], got '
                             f'{tuple(layer_costs.shape)}')
        out_dtype = torch.promote_types(probs.dtype, layer_costs.dtype)
        groups = self.expected_groups(probs)
        return (groups * layer_costs.double()).sum().to(out_dtype)

    @staticmethod
    def derived_groups(routing: Tensor) -> List[int]:
        """Number of groups after each layer of a hard routing (running meet from all-shared).

        Args:
            routing (Tensor): ``LongTensor[L, T]``, the copy each task takes at each layer.

        Returns:
            list[int]: ``|G_l|`` for every layer.
        """
        routing = torch.as_tensor(routing)
        if routing.dim() != 2 or routing.dtype.is_floating_point:
            raise ValueError(f'routing must be an integer tensor [L, T], got dtype '
                             f'{routing.dtype} shape {tuple(routing.shape)}')
        num_tasks = routing.shape[1]
        if routing.numel() and (routing.min() < 0 or routing.max() >= num_tasks):
            raise ValueError(f'routing entries must be copy indices in [0, {num_tasks}), got '
                             f'{routing.tolist()}')
        groups = torch.zeros(num_tasks, dtype=torch.long)
        counts = []
        for layer in routing.cpu():
            # tasks stay together iff together before and on the same copy now
            groups = torch.unique(groups * num_tasks + layer, return_inverse=True)[1]
            counts.append(int(groups.max()) + 1)
        return counts

    def derived_cost(self, routing: Tensor, layer_costs: Tensor) -> float:
        """Cost of the network derived from a hard routing: ``sum_l |G_l| layer_costs[l]``.

        Args:
            routing (Tensor): ``LongTensor[L, T]``.
            layer_costs (Tensor): ``[L]``.

        Returns:
            float: The cost.
        """
        layer_costs = torch.as_tensor(layer_costs).double().cpu()
        counts = self.derived_groups(routing)
        if layer_costs.shape != (len(counts), ):
            raise ValueError(f'layer_costs must have shape [L]=[{len(counts)}], got '
                             f'{tuple(layer_costs.shape)}')
        return float((torch.tensor(counts, dtype=torch.float64) * layer_costs).sum())


def _check_probs(probs: Tensor) -> None:
    if probs.dim() != 3 or probs.shape[1] != probs.shape[2]:
        raise ValueError(f'probs must have shape [L, T, T], got {tuple(probs.shape)}')
