"""What every searchable DARTS part shares: alphas (and PC-DARTS betas) per cell key, their
softmax once per forward, and the derivation of a :class:`Genotype`."""
from typing import Dict, Mapping, Optional, Sequence, Tuple

import torch

from mmmtnas.structures.genotype import Genotype
from .cells import derive_cell, normalise_edges, num_edges
from .operations import check_op_names
from .searchable_part import SearchablePart


class DartsSearchSpaceMixin(SearchablePart):
    """What every DARTS searchable part shares: alphas (and PC-DARTS betas) per cell key,
    their softmax per forward, and the derivation of a :class:`Genotype`."""

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

    def derive_genotype(self) -> Genotype:
        """Discretise every cell key (SPEC §2 rule, see :func:`derive_cell`)."""
        cells = {}
        for key, (weights, edges) in self.arch_weights().items():
            cells[key] = derive_cell(weights, self.op_names, self.num_nodes, self.multiplier,
                                     edge_weights=edges)
        return Genotype(cells)
