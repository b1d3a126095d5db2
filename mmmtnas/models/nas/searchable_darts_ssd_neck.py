"""The searchable DARTS-cell detection branch (SSD extra layers of search cells)."""
from typing import Mapping, Optional, Sequence, Tuple

import torch.nn as nn

from mmmtnas.registry import MODELS
from .darts_search_space import DartsSearchSpaceMixin
from .darts_ssd_neck import BaseDartsSSDNeck, _node_channels
from .operations import DARTS_OPS


@MODELS.register_module()
class SearchableDartsSSDNeck(DartsSearchSpaceMixin, BaseDartsSSDNeck):
    """SSD extra layers made of DARTS search cells, feeding mmdet's ``SSDHead``.

    Fits the ``det_neck`` slot of :class:`DetSegMultiTaskModel` or the ``neck`` of an mmdet
    ``SingleStageDetector``. Architecture parameters: ``'<prefix>.reduce'`` (and
    ``'<prefix>.normal'`` when ``normal_cells_per_level > 0``; ``'.edges'`` with PC-DARTS).

    Args:
        op_names (Sequence[str]): Candidate ops. Defaults to the 8 DARTS ops.
        num_nodes (int): Intermediate nodes per cell. Defaults to 4.
        multiplier (int): Nodes concatenated into a cell's output. Defaults to 4.
        partial_k (int): PC-DARTS K. Defaults to 1.
        edge_norm (bool, optional): Edge normalisation; None means ``partial_k > 1``.
        arch_prefix (str, optional): Prefix of the architecture-parameter names.
        arch_names (dict, optional): Explicit names for some keys (sharing).
        **kwargs: :class:`BaseDartsSSDNeck` arguments (``in_channels``, ``out_channels``,
            ``normal_cells_per_level``, ``share_cells``, ``init_cfg``).
    """

    default_arch_prefix = 'det_neck'

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
        BaseDartsSSDNeck.__init__(self, **kwargs)
        self._init_search_space(self.cell_keys, op_names, num_nodes, multiplier, partial_k,
                                edge_norm, arch_prefix, arch_names)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, c_level: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        cfg = self._search_cfg
        channels = _node_channels(c_level, cfg['multiplier'], 'SearchableDartsSSDNeck')
        cell = self._search_cell(c_prev_prev, c_prev, channels, reduction, reduction_prev)
        return cell, c_level
