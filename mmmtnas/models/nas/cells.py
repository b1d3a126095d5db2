"""DARTS cells: the search cell (mixed edges), the derived cell (one op per kept edge) and the
derivation rule between them.

Both cells have the same skeleton: two input nodes (outputs of the two previous cells,
preprocessed by ReLU-Conv1x1-BN, or :class:`FactorizedReduce` when the older input has twice
the resolution), ``num_nodes`` intermediate nodes, each the sum of edges from earlier nodes, and
an output concatenating the last ``multiplier`` nodes (search) or the genotype's ``concat``
(derived). In a reduction cell the edges leaving the input nodes have stride 2.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn

from mmmtnas.structures.genotype import CellGenotype
from .mixed_edge import EdgeInput, MixedEdge, add_scaled, channel_shuffle, leaves
from .operations import FactorizedReduce, ReLUConvBN, apply_layer, build_op


def num_edges(num_nodes: int) -> int:
    """Number of edges of a search cell: node ``i`` has ``i + 2`` incoming edges."""
    return sum(i + 2 for i in range(num_nodes))


def edge_offsets(num_nodes: int) -> List[int]:
    """Index of the first incoming edge of each intermediate node in the alpha rows."""
    offsets, offset = [], 0
    for i in range(num_nodes):
        offsets.append(offset)
        offset += i + 2
    return offsets


def _preprocess(c_prev_prev: int, c_prev: int, channels: int, reduction_prev: bool,
                affine: bool) -> Tuple[nn.Module, nn.Module]:
    pre0 = (FactorizedReduce(c_prev_prev, channels, affine) if reduction_prev else
            ReLUConvBN(c_prev_prev, channels, 1, 1, 0, affine))
    pre1 = ReLUConvBN(c_prev, channels, 1, 1, 0, affine)
    return pre0, pre1


class SearchCell(nn.Module):
    """A DARTS / PC-DARTS search cell.

    Args:
        c_prev_prev (int): Channels of the older input.
        c_prev (int): Channels of the newer input.
        channels (int): Channels of every node.
        reduction (bool): Reduction cell (stride 2 on edges from the inputs).
        reduction_prev (bool): The older input has twice the resolution of the newer one.
        op_names (Sequence[str]): Candidate ops.
        num_nodes (int): Intermediate nodes. Defaults to 4.
        multiplier (int): How many of the last nodes the output concatenates. Defaults to 4.
        partial_k (int): PC-DARTS K (1 = plain DARTS). Defaults to 1.
        affine (bool): Learn BN scale and shift. Defaults to False (DARTS search).
    """

    def __init__(self, c_prev_prev: int, c_prev: int, channels: int, reduction: bool,
                 reduction_prev: bool, op_names: Sequence[str], num_nodes: int = 4,
                 multiplier: int = 4, partial_k: int = 1, affine: bool = False) -> None:
        super().__init__()
        if not 1 <= multiplier <= num_nodes:
            raise ValueError(f'multiplier={multiplier} must be in 1..num_nodes={num_nodes}')
        self.reduction = reduction
        self.num_nodes = num_nodes
        self.multiplier = multiplier
        self.partial_k = partial_k
        self.preprocess0, self.preprocess1 = _preprocess(c_prev_prev, c_prev, channels,
                                                         reduction_prev, affine)
        self.edges = nn.ModuleList()
        for i in range(num_nodes):
            for j in range(i + 2):
                stride = 2 if reduction and j < 2 else 1
                self.edges.append(MixedEdge(channels, stride, op_names, partial_k, affine))

    def forward(self, s0: torch.Tensor, s1: torch.Tensor, weights: torch.Tensor,
                edge_weights: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Run the cell.

        Args:
            s0 (Tensor): Older input.
            s1 (Tensor): Newer input.
            weights (Tensor): ``(num_edges, num_ops)`` op weights (softmax of alpha rows).
            edge_weights (Tensor, optional): ``(num_edges,)`` PC-DARTS edge weights (per-node
                softmax of beta). None weighs every edge 1.

        Returns:
            Tensor: ``(N, multiplier * channels, H', W')``, in ``channels_last`` memory format.
        """
        # channels_last: the depthwise convolutions of the ops run several times faster
        # on CPU than in NCHW; every cell op keeps the layout
        inputs = []
        for pre, s in ((self.preprocess0, s0), (self.preprocess1, s1)):
            s = s.contiguous(memory_format=torch.channels_last)
            for layer in leaves(pre):
                s = apply_layer(layer, s)
            inputs.append(EdgeInput(s, self.partial_k))
        offset = 0
        for _ in range(self.num_nodes):
            # a node sums its edges before the PC-DARTS concat + shuffle (a channel
            # permutation, the same for every edge), which then runs once per node
            mixed = bypass = None
            for j, x in enumerate(inputs):
                edge = self.edges[offset + j]
                scale = None if edge_weights is None else edge_weights[offset + j]
                w = weights[offset + j] if scale is None else weights[offset + j] * scale
                mixed = edge.accumulate(x, w, mixed)
                if self.partial_k > 1:
                    bypass = add_scaled(bypass, x.bypass(edge.stride), scale)
            offset += len(inputs)
            if self.partial_k > 1:
                mixed = channel_shuffle(torch.cat([mixed, bypass], dim=1), self.partial_k)
            inputs.append(EdgeInput(mixed, self.partial_k))
        return torch.cat([x.x for x in inputs[-self.multiplier:]], dim=1)


def normalise_edges(betas: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """PC-DARTS edge normalisation: softmax of beta over each node's incoming edges.

    Args:
        betas (Tensor): ``(num_edges,)``.
        num_nodes (int): Intermediate nodes.

    Returns:
        Tensor: ``(num_edges,)``; the weights of each node's incoming edges sum to 1.
    """
    return torch.cat([betas[o:o + i + 2].softmax(-1)
                      for i, o in enumerate(edge_offsets(num_nodes))])


@torch.no_grad()
def derive_cell(weights: torch.Tensor,
                op_names: Sequence[str],
                num_nodes: int,
                multiplier: int,
                edge_weights: Optional[torch.Tensor] = None,
                inputs_per_node: int = 2) -> CellGenotype:
    """Discretise a search cell (SPEC §2, DARTS rule).

    For each intermediate node keep the ``inputs_per_node`` incoming edges whose strongest
    non-``none`` op weight (times the edge weight, with PC-DARTS) is largest, and on each kept
    edge the arg-max non-``none`` op. Ties go to the lower edge / op index.

    Args:
        weights (Tensor): ``(num_edges, num_ops)`` op weights (softmax of alpha).
        op_names (Sequence[str]): Candidate ops (the columns).
        num_nodes (int): Intermediate nodes.
        multiplier (int): The output concatenates the last ``multiplier`` nodes.
        edge_weights (Tensor, optional): ``(num_edges,)`` normalised edge weights.
        inputs_per_node (int): Edges kept per node. Defaults to 2.

    Returns:
        CellGenotype: Kept ``(op, input)`` pairs per node, strongest first.
    """
    op_names = list(op_names)
    usable = [k for k, name in enumerate(op_names) if name != 'none']
    weights = weights.detach().float().cpu()
    nodes = []
    for i, offset in enumerate(edge_offsets(num_nodes)):
        candidates = []
        for j in range(i + 2):
            row = weights[offset + j, usable]
            best = int(torch.argmax(row))  # first maximum
            strength = float(row[best])
            if edge_weights is not None:
                strength *= float(edge_weights[offset + j])
            candidates.append((strength, j, op_names[usable[best]]))
        # sort by strength descending; stable, so equal strengths keep the lower input first
        kept = sorted(candidates, key=lambda c: -c[0])[:inputs_per_node]
        nodes.append([(op, j) for _, j, op in kept])
    total = num_nodes + 2
    return CellGenotype.create(nodes, range(total - multiplier, total))


class DerivedCell(nn.Module):
    """A fixed cell built from a :class:`CellGenotype`: plain ops, no architecture weights.

    Args:
        genotype (CellGenotype): The cell's structure.
        c_prev_prev (int): Channels of the older input.
        c_prev (int): Channels of the newer input.
        channels (int): Channels of every node.
        reduction (bool): Reduction cell.
        reduction_prev (bool): The older input has twice the resolution of the newer one.
        affine (bool): Learn BN scale and shift. Defaults to True (DARTS evaluation).
        pool_bn (bool): Keep the search-time BN after pooling ops (lets a derived cell reproduce
            its supernet exactly). Defaults to False (DARTS evaluation).
        drop_path_prob (float): Drop-path probability on non-identity ops in training.
            Defaults to 0.
    """

    def __init__(self, genotype: CellGenotype, c_prev_prev: int, c_prev: int, channels: int,
                 reduction: bool, reduction_prev: bool, affine: bool = True,
                 pool_bn: bool = False, drop_path_prob: float = 0.) -> None:
        super().__init__()
        self.reduction = reduction
        self.genotype = genotype
        self.drop_path_prob = drop_path_prob
        self.preprocess0, self.preprocess1 = _preprocess(c_prev_prev, c_prev, channels,
                                                         reduction_prev, affine)
        self.ops = nn.ModuleList()
        self.inputs: List[List[int]] = []
        for node in genotype.nodes:
            self.inputs.append([idx for _, idx in node])
            for name, idx in node:
                stride = 2 if reduction and idx < 2 else 1
                self.ops.append(build_op(name, channels, stride, affine, pool_bn=pool_bn))
        self.concat = list(genotype.concat)
        self.out_channels = len(self.concat) * channels

    def _drop_path(self, x: torch.Tensor, op: nn.Module) -> torch.Tensor:
        if not self.training or self.drop_path_prob <= 0 or isinstance(op, nn.Identity):
            return x
        keep = 1. - self.drop_path_prob
        mask = x.new_empty(x.shape[0], 1, 1, 1).bernoulli_(keep)
        return x / keep * mask

    def forward(self, s0: torch.Tensor, s1: torch.Tensor) -> torch.Tensor:
        """Run the cell on its two inputs; returns the concatenated ``concat`` nodes."""
        states = [self.preprocess0(s0), self.preprocess1(s1)]
        k = 0
        for inputs in self.inputs:
            node = 0
            for idx in inputs:
                op = self.ops[k]
                node = node + self._drop_path(op(states[idx]), op)
                k += 1
            states.append(node)
        return torch.cat([states[i] for i in self.concat], dim=1)
