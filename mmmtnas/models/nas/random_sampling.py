"""Random architectures of a DARTS search space (random search, Li & Talwalkar 2019).

:func:`sample_genotypes` draws one genotype for every searchable DARTS part of a supernet,
uniformly: each intermediate node reads two distinct earlier nodes, each through an op drawn
from the candidates other than ``none``; the output concatenates the last ``multiplier`` nodes
(as :func:`~mmmtnas.models.nas.cells.derive_cell` does). :func:`set_architecture` writes
alphas (and PC-DARTS edge betas) under which the supernet computes exactly that architecture
(one-hot op weights, zero weight on unused edges) and from which derivation gives it back, so
the shared weights can be trained and evaluated along it and the export hooks write it.
"""
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from mmmtnas.structures.genotype import CellGenotype, Genotype
from mmmtnas.utils import unwrap_model
from .cells import edge_offsets, num_edges
from .darts_search_space import DartsSearchSpaceMixin
from .searchable_part import searchable_parts

# softmax(0, OFF) puts exactly zero weight (float32) on OFF
OFF = -1e4


def darts_parts(model: nn.Module) -> List[Tuple[str, DartsSearchSpaceMixin]]:
    """``(part name, part)`` of every DARTS searchable part (names as in genotype files)."""
    model = unwrap_model(model)
    parts = [(part.arch_prefix or path or part.default_arch_prefix, part)
             for path, part in searchable_parts(model)]
    bad = [name for name, part in parts if not isinstance(part, DartsSearchSpaceMixin)]
    if bad or not parts:
        raise TypeError(f'random architectures need DARTS searchable parts; '
                        f'{type(model).__name__} has {bad or "none"} of another kind')
    return parts


def sample_cell(rng: np.random.Generator, op_names: Sequence[str], num_nodes: int,
                multiplier: int, inputs_per_node: int = 2) -> CellGenotype:
    """Draw one cell uniformly.

    Args:
        rng (np.random.Generator): The generator.
        op_names (Sequence[str]): Candidate ops; ``none`` is never drawn.
        num_nodes (int): Intermediate nodes.
        multiplier (int): The output concatenates the last ``multiplier`` nodes.
        inputs_per_node (int): Distinct inputs of every node. Defaults to 2.

    Returns:
        CellGenotype: The cell.
    """
    ops = [op for op in op_names if op != 'none']
    if not ops:
        raise ValueError(f'no op other than none to sample from: {list(op_names)}')
    nodes = []
    for i in range(num_nodes):
        inputs = sorted(rng.choice(i + 2, size=min(inputs_per_node, i + 2), replace=False))
        nodes.append([(ops[rng.integers(len(ops))], int(j)) for j in inputs])
    return CellGenotype.create(nodes, range(2 + num_nodes - multiplier, 2 + num_nodes))


def sample_genotypes(model: nn.Module, rng: np.random.Generator) -> Dict[str, Genotype]:
    """Draw a genotype for every DARTS part of ``model`` (a supernet or search algorithm).

    A cell whose alphas two parts share (MTNAS S1) is drawn once and given to both.

    Args:
        model (nn.Module): The supernet.
        rng (np.random.Generator): The generator.

    Returns:
        dict[str, Genotype]: Part name -> genotype, as :func:`derive_genotypes` names them.
    """
    drawn: Dict[str, CellGenotype] = {}  # by architecture-parameter name
    out = {}
    for name, part in darts_parts(model):
        cells = {}
        for key in part.search_keys:
            param = part.arch_names()[key]
            if param not in drawn:
                drawn[param] = sample_cell(rng, part.op_names, part.num_nodes, part.multiplier)
            cells[key] = drawn[param]
        out[name] = Genotype(cells)
    return out


def cell_alphas(cell: CellGenotype, op_names: Sequence[str], num_nodes: int,
                edge_norm: bool) -> Tuple[torch.Tensor, torch.Tensor]:
    """Alphas (and edge betas) under which a search cell computes exactly ``cell``.

    Args:
        cell (CellGenotype): The cell.
        op_names (Sequence[str]): The part's candidate ops (alpha columns).
        num_nodes (int): The part's intermediate nodes.
        edge_norm (bool): Whether the part normalises edges (PC-DARTS).

    Returns:
        tuple[Tensor, Tensor]: ``(num_edges, num_ops)`` alphas and ``(num_edges,)`` betas.
    """
    op_names = list(op_names)
    if 'none' not in op_names and not edge_norm:
        raise ValueError('a sampled cell needs the `none` op or edge normalisation to switch '
                         f'unused edges off; ops are {op_names}')
    if cell.num_nodes != num_nodes:
        raise ValueError(f'cell has {cell.num_nodes} intermediate nodes, the part {num_nodes}')
    alphas = torch.full((num_edges(num_nodes), len(op_names)), OFF)
    betas = torch.full((num_edges(num_nodes), ), OFF)
    if 'none' in op_names:
        alphas[:, op_names.index('none')] = 0.
    for node, offset in zip(cell.nodes, edge_offsets(num_nodes)):
        for op, j in node:
            alphas[offset + j] = OFF
            alphas[offset + j, op_names.index(op)] = 0.
            betas[offset + j] = 0.
    return alphas, betas


@torch.no_grad()
def set_architecture(model: nn.Module, genotypes: Mapping[str, Genotype]) -> None:
    """Make every DARTS part of ``model`` compute, and derive, the given genotypes.

    Args:
        model (nn.Module): The supernet (or search algorithm).
        genotypes (Mapping[str, Genotype]): Part name -> genotype (every part).
    """
    for name, part in darts_parts(model):
        if name not in genotypes:
            raise KeyError(f'set_architecture: no genotype for part {name!r} '
                           f'(given: {sorted(genotypes)})')
        for key in part.search_keys:
            alphas, betas = cell_alphas(genotypes[name][key], part.op_names, part.num_nodes,
                                        part.edge_norm)
            param = part.arch_param(key)
            param.copy_(alphas.to(param))
            if part.edge_norm:
                edges = part.arch_param(f'{key}.edges')
                edges.copy_(betas.to(edges))
