"""What every searchable DARTS part shares: alphas (and PC-DARTS betas) per cell key, their
softmax once per forward, the derivation of a :class:`Genotype` and the weights as probability
tables."""
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch

from mmmtnas.models.search.architecture_weights import ChoiceWeights, table_name
from mmmtnas.structures.genotype import Genotype
from .cells import SearchCell, derive_cell, edge_offsets, normalise_edges, num_edges
from .operations import check_op_names
from .searchable_part import SearchablePart


class DartsSearchSpaceMixin(SearchablePart):
    """What every DARTS searchable part shares: alphas (and PC-DARTS betas) per cell key,
    their softmax per forward, the search cells that use them, and the derivation of a
    :class:`Genotype`.

    A part calls :meth:`_set_cell_options` before its layout base class builds the cells
    (through :meth:`_search_cell`), then :meth:`_init_search_space` over the cell keys.
    """

    def _set_cell_options(self, op_names: Sequence[str], num_nodes: int, multiplier: int,
                          partial_k: int) -> None:
        """Remember the cell options :meth:`_search_cell` needs while the layout is built."""
        self._search_cfg = dict(op_names=check_op_names(op_names), num_nodes=num_nodes,
                                multiplier=multiplier, partial_k=partial_k)

    def _search_cell(self, c_prev_prev: int, c_prev: int, channels: int, reduction: bool,
                     reduction_prev: bool) -> SearchCell:
        """A search cell with ``channels`` per node and the options of :meth:`_set_cell_options`."""
        cfg = self._search_cfg
        return SearchCell(c_prev_prev, c_prev, channels, reduction, reduction_prev,
                          cfg['op_names'], cfg['num_nodes'], cfg['multiplier'],
                          cfg['partial_k'])

    def _forward_context(self):
        """The softmaxed architecture weights, computed once per forward."""
        return self.arch_weights()

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        """Run search cell ``index`` with the weights of its cell key."""
        weights, edges = context[self.cell_keys[index]]
        return self.cells[index](s0, s1, weights, edges)

    def _init_search_space(self, cell_keys: Sequence[str], op_names: Sequence[str],
                           num_nodes: int, multiplier: int, partial_k: int,
                           edge_norm: Optional[bool], arch_prefix: Optional[str],
                           arch_names: Optional[Mapping[str, str]]) -> None:
        self.op_names = check_op_names(op_names)
        self.num_nodes = num_nodes
        self.multiplier = multiplier
        self.partial_k = partial_k
        # PC-DARTS pairs partial channels with edge normalisation; K=1 is plain DARTS.
        self.edge_norm = partial_k > 1 if edge_norm is None else bool(edge_norm)
        self.search_keys = list(dict.fromkeys(cell_keys))  # unique, in order
        specs: Dict[str, Tuple[int, ...]] = {}
        for key in self.search_keys:
            specs[key] = (num_edges(num_nodes), len(self.op_names))
            if self.edge_norm:
                specs[f'{key}.edges'] = (num_edges(num_nodes), )
        self.init_architecture(specs, arch_prefix=arch_prefix, arch_names=arch_names)

    def arch_weights(self) -> Dict[str, Tuple[torch.Tensor, Optional[torch.Tensor]]]:
        """Return, per cell key, (op weights = softmax(alpha), edge weights or None)."""
        out = {}
        for key in self.search_keys:
            weights = self.arch_param(key).softmax(dim=-1)
            edges = (normalise_edges(self.arch_param(f'{key}.edges'), self.num_nodes)
                     if self.edge_norm else None)
            out[key] = (weights, edges)
        return out

    @torch.no_grad()
    def architecture_weights(self) -> Dict[str, ChoiceWeights]:
        """Per cell key, by its parameter's table name (``'backbone/normal'``): the op
        weights of every edge (edges x ops, softmax of alpha) and, with PC-DARTS edge
        normalisation, the edge weights of every node over its inputs (``'.../edges'``: nodes
        x inputs ``c_prev_prev``, ``c_prev``, ``node0``, ...; NaN where a node has no such
        input)."""
        edges = [f'edge{e}' for e in range(num_edges(self.num_nodes))]
        inputs = ['c_prev_prev', 'c_prev'] + [f'node{i}' for i in range(self.num_nodes - 1)]
        out = {}
        for key, (weights, edge_weights) in self.arch_weights().items():
            out[table_name(self._arch_names[key])] = ChoiceWeights(
                edges, list(self.op_names), weights)
            if edge_weights is not None:
                edge_weights = edge_weights.float().cpu()
                per_node = torch.full((self.num_nodes, len(inputs)), float('nan'))
                for i, offset in enumerate(edge_offsets(self.num_nodes)):
                    per_node[i, :i + 2] = edge_weights[offset:offset + i + 2]
                out[table_name(self._arch_names[f'{key}.edges'])] = ChoiceWeights(
                    [f'node{i}' for i in range(self.num_nodes)], inputs, per_node)
        return out

    def derive_genotype(self) -> Genotype:
        """Discretise every cell key (SPEC §2 rule, see :func:`derive_cell`)."""
        cells = {}
        for key, (weights, edges) in self.arch_weights().items():
            cells[key] = derive_cell(weights, self.op_names, self.num_nodes, self.multiplier,
                                     edge_weights=edges)
        return Genotype(cells)
