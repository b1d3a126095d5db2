"""The searchable DARTS backbone: stem + stacked search cells (DARTS / PC-DARTS supernet)."""
from typing import Mapping, Optional, Sequence, Tuple

import torch.nn as nn

from mmmtnas.registry import MODELS
from .darts_backbone_base import BaseDartsBackbone
from .darts_search_space import DartsSearchSpaceMixin
from .operations import DARTS_OPS


@MODELS.register_module()
class SearchableDartsBackbone(DartsSearchSpaceMixin, BaseDartsBackbone):
    """DARTS supernet backbone (mixed edges), usable wherever an mmdet/mmseg backbone is.

    Built alone it owns its architecture parameters (``self.arch_params``); inside a model,
    :func:`mmmtnas.models.nas.bind_architecture` moves them to ``model.arch_params`` under
    ``'<prefix>.normal'``, ``'<prefix>.reduce'`` (and ``'.edges'`` with PC-DARTS).

    Args:
        op_names (Sequence[str]): Candidate ops. Defaults to the 8 DARTS ops.
        num_nodes (int): Intermediate nodes per cell. Defaults to 4.
        multiplier (int): Nodes concatenated into a cell's output. Defaults to 4.
        partial_k (int): PC-DARTS K; 1 is plain DARTS. Defaults to 1.
        edge_norm (bool, optional): PC-DARTS edge normalisation. None enables it iff
            ``partial_k > 1``.
        arch_prefix (str, optional): Prefix of the architecture-parameter names. None uses
            the attribute path in the model (e.g. ``'backbone'``).
        arch_names (dict, optional): Explicit names for some keys (sharing with another part),
            e.g. ``dict(normal='seg_head.normal')``.
        **kwargs: Layout arguments of :class:`BaseDartsBackbone` (``in_channels``,
            ``channels``, ``num_cells``, ``reduction_cells``, ``stem_type``,
            ``stem_multiplier``, ``share_cells``, ``out_indices``, ``init_cfg``).
    """

    default_arch_prefix = 'backbone'

    def __init__(self,
                 op_names: Sequence[str] = DARTS_OPS,
                 num_nodes: int = 4,
                 multiplier: int = 4,
                 partial_k: int = 1,
                 edge_norm: Optional[bool] = None,
                 arch_prefix: Optional[str] = None,
                 arch_names: Optional[Mapping[str, str]] = None,
                 **kwargs) -> None:
        self._set_cell_options(op_names, num_nodes, multiplier, partial_k)
        BaseDartsBackbone.__init__(self, **kwargs)
        self._init_search_space(self.cell_keys, op_names, num_nodes, multiplier, partial_k,
                                edge_norm, arch_prefix, arch_names)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, channels: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        cell = self._search_cell(c_prev_prev, c_prev, channels, reduction, reduction_prev)
        return cell, self._search_cfg['multiplier'] * channels
