"""Task groupings as set partitions: enumeration, meet, refinement, Möbius function.

A grouping of ``T`` tasks is a set partition of ``{0..T-1}``; there are Bell(T) of them
(1, 2, 5, 15, 52, 203, 877, 4140 for T = 1..8). A partition is encoded canonically as its
*restricted growth string* (RGS): ``rgs[t]`` is the block index of task ``t``, blocks numbered
in order of their smallest task (so ``rgs[0] == 0`` and ``rgs[t] <= max(rgs[:t]) + 1``).
Partitions are indexed in lexicographic RGS order, so index 0 is all-shared ``(0, ..., 0)``
and the last index is all-separate ``(0, 1, ..., T-1)``.

Order: ``k`` *refines* ``g`` (``k <= g``) when every block of ``k`` lies inside a block of
``g``; the *meet* of two partitions is their common refinement (tasks share a block iff they
share one in both). The grouping after a branched-encoder layer is the meet of the grouping
before it and the grouping the layer's routing induces.

Everything here depends only on ``T``; :func:`partition_tables` builds it once per ``T``
(cached), as tensors, so losses on routing probabilities are a few tensor ops.
"""
import functools
import math
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

# Bell(8) = 4140 partitions: an 8-task meet table has 17M entries. Beyond that only the
# subset-based parts (``ResourceLoss`` exact mode) scale.
MAX_TASKS = 8


def set_partitions(num_tasks: int) -> List[Tuple[int, ...]]:
    """Enumerate the set partitions of ``num_tasks`` tasks as RGS tuples, lexicographically.

    Args:
        num_tasks (int): ``T >= 1``.

    Returns:
        list[tuple[int, ...]]: Bell(T) restricted growth strings.
    """
    if num_tasks < 1:
        raise ValueError(f'num_tasks must be >= 1, got {num_tasks}')
    out: List[Tuple[int, ...]] = []

    def grow(prefix: List[int], num_blocks: int) -> None:
        if len(prefix) == num_tasks:
            out.append(tuple(prefix))
            return
        for b in range(num_blocks + 1):  # an existing block or a new one
            grow(prefix + [b], max(num_blocks, b + 1))

    grow([0], 1)
    return out


def bell_number(n: int) -> int:
    """Bell number B(n) by the Bell triangle (independent of the enumeration above)."""
    row = [1]
    for _ in range(n):
        nxt = [row[-1]]
        for v in row:
            nxt.append(nxt[-1] + v)
        row = nxt
    return row[0]


def canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Relabel rows of block labels into restricted growth strings (vectorised).

    Args:
        labels (np.ndarray): ``[..., T]`` integer labels; equal labels mean same block.

    Returns:
        np.ndarray: ``[..., T]`` RGS of the same partitions.
    """
    labels = np.asarray(labels)
    same = labels[..., :, None] == labels[..., None, :]  # [..., T, T]
    first = same.argmax(axis=-1)  # first task with the same label
    num_tasks = labels.shape[-1]
    is_first = first == np.arange(num_tasks)  # task opens a new block
    # block index = number of block openers strictly before the block's opener
    openers_before = np.cumsum(is_first, axis=-1) - is_first
    return np.take_along_axis(openers_before, first, axis=-1)


def blocks_of(rgs: Sequence[int]) -> List[Tuple[int, ...]]:
    """Return the blocks (tuples of tasks, ordered by smallest task) of an RGS."""
    blocks: List[List[int]] = [[] for _ in range(max(rgs) + 1)]
    for t, b in enumerate(rgs):
        blocks[b].append(t)
    return [tuple(b) for b in blocks]


def format_partition(rgs: Sequence[int], names: Optional[Sequence[str]] = None) -> str:
    """Readable form, e.g. ``'{seg,sal}{normals}'`` or ``'{0,1}{2}'``."""
    names = [str(t) for t in range(len(rgs))] if names is None else list(names)
    return ''.join('{' + ','.join(names[t] for t in b) + '}' for b in blocks_of(rgs))


@dataclass(frozen=True)
class PartitionTables:
    """Precomputed, alpha-independent structure of the partitions of ``T`` tasks (CPU).

    Attributes:
        num_tasks (int): ``T``.
        rgs (Tensor): ``LongTensor[B, T]``, the partitions, index order = lexicographic RGS.
        codes (Tensor): ``LongTensor[B]``, base-``T`` code of each RGS (sorted ascending).
        num_groups (Tensor): ``LongTensor[B]``, ``|k|``, number of blocks.
        block_masks (Tensor): ``LongTensor[B, T]``, bit mask of each block (task ``t`` = bit
            ``t``), padded with ``0`` (the empty set) to ``T`` blocks.
        refine_pairs (Tensor): ``LongTensor[2, R]``, every pair ``(k, g)`` with ``k <= g``
            (``k`` refines ``g``, ``k`` included), sorted by ``k``.
        mobius (Tensor): ``DoubleTensor[R]``, Möbius function ``mu(k, g)`` of the partition
            lattice on those pairs.
        all_shared (int): Index of ``(0, ..., 0)`` (0).
        all_separate (int): Index of ``(0, 1, ..., T-1)`` (B - 1).
    """
    num_tasks: int
    rgs: Tensor
    codes: Tensor
    num_groups: Tensor
    block_masks: Tensor
    refine_pairs: Tensor
    mobius: Tensor
    all_shared: int
    all_separate: int

    @property
    def num_partitions(self) -> int:
        return self.rgs.shape[0]

    def index_of(self, labels: Tensor) -> Tensor:
        """Map block labels (e.g. routings ``c in {0..T-1}^T``) to partition indices.

        Args:
            labels (Tensor): ``LongTensor[..., T]``; tasks with equal labels share a block.

        Returns:
            Tensor: ``LongTensor[...]`` partition indices.
        """
        if labels.shape[-1] != self.num_tasks:
            raise ValueError(f'labels must have last dimension T={self.num_tasks}, '
                             f'got shape {tuple(labels.shape)}')
        rgs = torch.from_numpy(canonical_labels(labels.detach().cpu().numpy()))
        codes = (rgs * _powers(self.num_tasks)).sum(-1)
        return torch.searchsorted(self.codes, codes).to(labels.device)

    def refines(self) -> Tensor:
        """``BoolTensor[B, B]``: ``[k, g]`` is True when ``k`` refines ``g`` (``k <= g``)."""
        out = torch.zeros(self.num_partitions, self.num_partitions, dtype=torch.bool)
        out[self.refine_pairs[0], self.refine_pairs[1]] = True
        return out

    def meet_table(self) -> Tensor:
        """``LongTensor[B, B]``: index of the meet (common refinement) of two partitions."""
        return _meet_table(self.num_tasks)


def _powers(num_tasks: int) -> Tensor:
    return num_tasks**torch.arange(num_tasks - 1, -1, -1, dtype=torch.long)


def _mobius(fine: Sequence[int], coarse: Sequence[int]) -> int:
    """mu(fine, coarse) for fine <= coarse: [fine, coarse] is a product of partition lattices
    Pi_{n_i}, n_i = blocks of ``fine`` inside block i of ``coarse``, and mu(Pi_n) =
    (-1)^(n-1) (n-1)!."""
    inside: dict = {}
    for f, c in zip(fine, coarse):
        inside.setdefault(c, set()).add(f)
    mu = 1
    for blocks in inside.values():
        n = len(blocks)
        mu *= (-1)**(n - 1) * math.factorial(n - 1)
    return mu


@functools.lru_cache(maxsize=None)
def partition_tables(num_tasks: int) -> PartitionTables:
    """Build (once per ``T``) the partition tables, see :class:`PartitionTables`.

    Args:
        num_tasks (int): ``1 <= T <= MAX_TASKS``.

    Returns:
        PartitionTables: CPU tensors.
    """
    if not 1 <= num_tasks <= MAX_TASKS:
        raise ValueError(f'num_tasks must be in [1, {MAX_TASKS}] for partition tables, '
                         f'got {num_tasks}')
    parts = set_partitions(num_tasks)
    rgs = torch.tensor(parts, dtype=torch.long)
    codes = (rgs * _powers(num_tasks)).sum(-1)
    num_groups = rgs.max(-1).values + 1
    bits = 1 << torch.arange(num_tasks)
    block_masks = torch.zeros(len(parts), num_tasks, dtype=torch.long)
    for i in range(num_tasks):  # block i's mask: bits of tasks with label i
        block_masks[:, i] = ((rgs == i).long() * bits).sum(-1)

    # k <= g iff every pair sharing a block in k shares one in g.
    same = (rgs[:, :, None] == rgs[:, None, :]).reshape(len(parts), -1)
    refines = torch.cat([~(chunk[:, None, :] & ~same[None, :, :]).any(-1)
                         for chunk in same.split(256)])  # [B, B]
    fine, coarse = refines.nonzero(as_tuple=True)
    mobius = torch.tensor([_mobius(parts[k], parts[g]) for k, g in
                           zip(fine.tolist(), coarse.tolist())], dtype=torch.float64)
    return PartitionTables(
        num_tasks=num_tasks, rgs=rgs, codes=codes, num_groups=num_groups,
        block_masks=block_masks, refine_pairs=torch.stack([fine, coarse]), mobius=mobius,
        all_shared=0, all_separate=len(parts) - 1)


@functools.lru_cache(maxsize=None)
def _meet_table(num_tasks: int) -> Tensor:
    tables = partition_tables(num_tasks)
    rgs = tables.rgs.numpy()
    num = len(rgs)
    # pair labels (g[t], k[t]) identify the blocks of the meet
    pair = rgs[:, None, :] * num_tasks + rgs[None, :, :]  # [B, B, T]
    meet = np.empty((num, num), dtype=np.int64)
    for start in range(0, num, 256):  # chunks keep the [chunk, B, T, T] compare small
        sub = torch.from_numpy(canonical_labels(pair[start:start + 256]))
        meet[start:start + 256] = torch.searchsorted(
            tables.codes, (sub * _powers(num_tasks)).sum(-1)).numpy()
    return torch.from_numpy(meet)


@functools.lru_cache(maxsize=None)
def all_routings(num_tasks: int) -> Tensor:
    """Every routing ``c in {0..T-1}^T`` (``LongTensor[T^T, T]``, task 0 most significant)."""
    grids = torch.meshgrid(*[torch.arange(num_tasks)] * num_tasks, indexing='ij')
    return torch.stack([g.reshape(-1) for g in grids], dim=-1)


def routing_partition_index(num_tasks: int) -> Tensor:
    """``LongTensor[T^T]``: partition index of every routing of :func:`all_routings`."""
    return partition_tables(num_tasks).index_of(all_routings(num_tasks))
