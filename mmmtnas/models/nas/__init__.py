"""DARTS search space: architecture parameters, candidate operations, cells, searchable and
derived parts."""
from mmmtnas.models.search import ArchitectureParameters
from .cells import DerivedCell, SearchCell, derive_cell, normalise_edges
from .darts_backbone import DartsBackbone
from .darts_search_space import DartsSearchSpaceMixin
from .darts_seg_head import DartsSegHead
from .darts_ssd_neck import DartsSSDNeck
from .derive_genotypes import derive_genotypes
from .inherit_weights import derived_key_map, inherit_supernet_weights, supernet_key_map
from .mixed_edge import MixedEdge, channel_shuffle
from .operations import CANDIDATE_OPS, DARTS_OPS, FactorizedReduce, build_op, known_ops
from .searchable_darts_backbone import SearchableDartsBackbone
from .searchable_darts_seg_head import SearchableDartsSegHead
from .searchable_darts_ssd_neck import SearchableDartsSSDNeck
from .searchable_part import SearchablePart, bind_architecture, searchable_parts

__all__ = [
    'ArchitectureParameters', 'SearchablePart', 'bind_architecture', 'searchable_parts',
    'CANDIDATE_OPS', 'DARTS_OPS', 'FactorizedReduce', 'build_op', 'known_ops', 'MixedEdge',
    'channel_shuffle', 'SearchCell', 'DerivedCell', 'derive_cell', 'normalise_edges',
    'DartsSearchSpaceMixin', 'SearchableDartsBackbone', 'DartsBackbone',
    'inherit_supernet_weights', 'supernet_key_map', 'derived_key_map', 'DartsSegHead',
    'DartsSSDNeck', 'SearchableDartsSegHead', 'SearchableDartsSSDNeck', 'derive_genotypes'
]
