"""The searchable DARTS-cell segmentation branch (mmseg decode head of search cells)."""
from typing import Mapping, Optional, Sequence, Tuple

import torch.nn as nn

from mmmtnas.registry import MODELS
from .darts_search_space import DartsSearchSpaceMixin
from .darts_seg_head import BaseDartsSegHead
from .operations import DARTS_OPS


@MODELS.register_module()
class SearchableDartsSegHead(DartsSearchSpaceMixin, BaseDartsSegHead):
    """FCN-like mmseg decode head whose upsampling path is made of DARTS search cells.

    Architecture parameters: ``'<prefix>.normal'`` (plus ``'.edges'`` with PC-DARTS), prefix
    defaulting to the attribute path (``'decode_head'`` in an mmseg ``EncoderDecoder``,
    ``'seg_head'`` in :class:`DetSegMultiTaskModel`) or ``arch_prefix`` (e.g.
    ``'seg_branch'``).

    Args:
        op_names (Sequence[str]): Candidate ops. Defaults to the 8 DARTS ops.
        num_nodes (int): Intermediate nodes per cell. Defaults to 4.
        multiplier (int): Nodes concatenated into a cell's output; ``channels`` must be a
            multiple of it. Defaults to 4.
        partial_k (int): PC-DARTS K. Defaults to 1.
        edge_norm (bool, optional): Edge normalisation; None means ``partial_k > 1``.
        arch_prefix (str, optional): Prefix of the architecture-parameter names.
        arch_names (dict, optional): Explicit names for some keys (sharing).
        **kwargs: :class:`BaseDartsSegHead` arguments.
    """

    default_arch_prefix = 'seg_head'

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
        BaseDartsSegHead.__init__(self, **kwargs)
        self._init_search_space(self.cell_keys, op_names, num_nodes, multiplier, partial_k,
                                edge_norm, arch_prefix, arch_names)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int) -> Tuple[nn.Module, int]:
        cfg = self._search_cfg
        if self.channels % cfg['multiplier']:
            raise ValueError(f'SearchableDartsSegHead: channels={self.channels} is not a '
                             f'multiple of multiplier={cfg["multiplier"]}')
        cell = self._search_cell(c_prev_prev, c_prev, self.channels // cfg['multiplier'],
                                 reduction=False, reduction_prev=False)
        return cell, self.channels
