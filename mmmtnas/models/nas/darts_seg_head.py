"""DARTS-cell segmentation branch (an mmseg decode head) and its derived (fixed) form.

FCN-like upsampling path made of normal cells: starting from the deepest selected feature,
each stage runs ``num_cells_per_stage`` cells at one resolution; the first cell of a stage reads
(skip feature of that level, upsampled output of the stage below) - the deepest stage reads its
feature twice - and later cells read the two previous states, as DARTS cells do. The last state
(``channels`` wide, at the shallowest selected level's resolution) goes through mmseg's
``cls_seg``; loss, prediction and resizing to the label size are mmseg's ``BaseDecodeHead``.
"""
from typing import List, Mapping, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize

from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import Genotype, load_genotype
from .cells import DerivedCell


class BaseDartsSegHead(BaseDecodeHead):
    """Cell layout of the DARTS segmentation branch; subclasses build and run one cell.

    Args:
        num_cells_per_stage (int): Cells per resolution level. Defaults to 1.
        share_cells (bool): All cells share one architecture (key ``'normal'``); else one
            key per cell (``'cell<i>'``). Defaults to True.
        **kwargs: :class:`mmseg.models.decode_heads.decode_head.BaseDecodeHead` arguments
            (``in_channels`` and ``in_index`` as lists, shallow to deep, with
            ``input_transform='multiple_select'`` - the default here -, ``channels``,
            ``num_classes``, ``loss_decode``, ...).
    """

    def __init__(self, num_cells_per_stage: int = 1, share_cells: bool = True,
                 **kwargs) -> None:
        if isinstance(kwargs.get('in_channels'), (list, tuple)):
            kwargs.setdefault('input_transform', 'multiple_select')
        super().__init__(**kwargs)
        if num_cells_per_stage < 1:
            raise ValueError(f'num_cells_per_stage must be >= 1, got {num_cells_per_stage}')
        in_channels = (list(self.in_channels) if isinstance(self.in_channels, (list, tuple))
                       else [self.in_channels])
        self.num_cells_per_stage = num_cells_per_stage
        self.share_cells = share_cells
        self.cells = nn.ModuleList()
        self.cell_keys: List[str] = []
        up_channels = None
        for level in reversed(range(len(in_channels))):
            states = [in_channels[level], up_channels or in_channels[level]]
            for _ in range(num_cells_per_stage):
                key = 'normal' if share_cells else f'cell{len(self.cells)}'
                cell, c_out = self._make_cell(key, states[-2], states[-1])
                if c_out != self.channels:
                    raise ValueError(f'{type(self).__name__}: cells output {c_out} channels, '
                                     f'`channels` is {self.channels}')
                self.cells.append(cell)
                self.cell_keys.append(key)
                states.append(c_out)
            up_channels = self.channels

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int) -> Tuple[nn.Module, int]:
        raise NotImplementedError

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        raise NotImplementedError

    def _forward_context(self):
        return None

    def forward(self, inputs: Sequence[torch.Tensor]) -> torch.Tensor:
        """Return segmentation logits at the shallowest selected level's resolution."""
        feats = self._transform_inputs(inputs)
        if isinstance(feats, torch.Tensor):
            feats = [feats]
        context = self._forward_context()
        k, out = 0, None
        for feat in reversed(feats):
            up = feat if out is None else resize(
                out, size=feat.shape[2:], mode='bilinear', align_corners=self.align_corners)
            states = [feat, up]
            for _ in range(self.num_cells_per_stage):
                states.append(self._run_cell(k, states[-2], states[-1], context))
                k += 1
            out = states[-1]
        return self.cls_seg(out)


@MODELS.register_module()
class DartsSegHead(BaseDartsSegHead):
    """Derived DARTS segmentation branch: fixed cells from a genotype, an mmseg decode head.

    Args:
        genotype (str | Genotype | dict): Genotype file, :class:`Genotype` or inline dict.
        part (str): Part to read from the file. Defaults to ``'seg_head'``.
        affine (bool): Learn BN scale and shift in the cells. Defaults to True.
        pool_bn (bool): Keep the search-time BN after pooling ops. Defaults to False.
        **kwargs: :class:`BaseDartsSegHead` arguments. ``channels`` must be a multiple of the
            genotype's ``len(concat)``.
    """

    def __init__(self, genotype: Union[str, Genotype, Mapping], part: str = 'seg_head',
                 affine: bool = True, pool_bn: bool = False, **kwargs) -> None:
        share = kwargs.get('share_cells', True)
        self.genotype = load_genotype(genotype, part, cells=['normal'] if share else None)
        self.part = part
        self._cell_cfg = dict(affine=affine, pool_bn=pool_bn)
        super().__init__(**kwargs)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int) -> Tuple[nn.Module, int]:
        cell_genotype = self.genotype[key]
        multiplier = len(cell_genotype.concat)
        if self.channels % multiplier:
            raise ValueError(f'DartsSegHead: channels={self.channels} is not a multiple of '
                             f'the {multiplier} concatenated nodes of cell {key!r}')
        cell = DerivedCell(cell_genotype, c_prev_prev, c_prev, self.channels // multiplier,
                           reduction=False, reduction_prev=False, **self._cell_cfg)
        return cell, cell.out_channels

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        return self.cells[index](s0, s1)
