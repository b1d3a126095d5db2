"""DARTS-cell detection branch: SSD extra layers made of cells (and its derived form).

Like mmdet's ``SSDNeck`` it passes the backbone's feature maps through and appends
``len(out_channels) - len(in_channels)`` extra, coarser levels for mmdet's ``SSDHead``; each
extra level is a reduction cell (halving the resolution) followed by ``normal_cells_per_level``
normal cells. Cells chain as in DARTS: a cell reads the two previous states; the first reads
the deepest input twice.
"""
from typing import List, Mapping, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import Genotype, load_genotype
from .cells import DerivedCell


class BaseDartsSSDNeck(BaseModule):
    """Layout of the DARTS SSD extra layers; subclasses build and run one cell.

    Args:
        in_channels (Sequence[int]): Channels of the backbone levels (shallow to deep).
        out_channels (Sequence[int]): Channels of all output levels; the first
            ``len(in_channels)`` must equal ``in_channels``.
        normal_cells_per_level (int): Normal cells after each extra level's reduction cell.
            Defaults to 0.
        share_cells (bool): All reduction (normal) cells share one architecture. Defaults to
            True.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self, in_channels: Sequence[int], out_channels: Sequence[int],
                 normal_cells_per_level: int = 0, share_cells: bool = True,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        in_channels, out_channels = list(in_channels), list(out_channels)
        if len(out_channels) <= len(in_channels) or \
                out_channels[:len(in_channels)] != in_channels:
            raise ValueError(f'out_channels {out_channels} must start with in_channels '
                             f'{in_channels} and add at least one extra level')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.normal_cells_per_level = normal_cells_per_level
        self.cells = nn.ModuleList()
        self.cell_keys: List[str] = []
        self.level_ends: List[int] = []  # index of the last cell of each extra level
        states = [in_channels[-1], in_channels[-1]]
        reduction_prev = False
        for c_level in out_channels[len(in_channels):]:
            for r in range(1 + normal_cells_per_level):
                reduction = r == 0
                if share_cells:
                    key = 'reduce' if reduction else 'normal'
                else:
                    key = f'cell{len(self.cells)}'
                cell, c_out = self._make_cell(key, states[-2], states[-1], c_level, reduction,
                                              reduction_prev)
                if c_out != c_level:
                    raise ValueError(f'{type(self).__name__}: a cell of an extra level outputs '
                                     f'{c_out} channels, out_channels asks for {c_level}')
                self.cells.append(cell)
                self.cell_keys.append(key)
                states.append(c_out)
                reduction_prev = reduction
            self.level_ends.append(len(self.cells) - 1)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, c_level: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        raise NotImplementedError

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        raise NotImplementedError

    def _forward_context(self):
        return None

    def forward(self, inputs: Sequence[torch.Tensor]) -> Tuple[torch.Tensor, ...]:
        """Return the input levels followed by the extra levels."""
        inputs = list(inputs)
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'{type(self).__name__} expects {len(self.in_channels)} input '
                             f'levels, got {len(inputs)}')
        context = self._forward_context()
        states = [inputs[-1], inputs[-1]]
        outs = list(inputs)
        for i in range(len(self.cells)):
            states.append(self._run_cell(i, states[-2], states[-1], context))
            if i in self.level_ends:
                outs.append(states[-1])
        return tuple(outs)


def _node_channels(c_level: int, multiplier: int, where: str) -> int:
    if c_level % multiplier:
        raise ValueError(f'{where}: extra level channels {c_level} are not a multiple of the '
                         f'{multiplier} concatenated nodes')
    return c_level // multiplier


@MODELS.register_module()
class DartsSSDNeck(BaseDartsSSDNeck):
    """Derived DARTS SSD extra layers: fixed cells from a genotype.

    Args:
        genotype (str | Genotype | dict): Genotype file, :class:`Genotype` or inline dict.
        part (str): Part to read from the file. Defaults to ``'det_neck'``.
        affine (bool): Learn BN scale and shift in the cells. Defaults to True.
        pool_bn (bool): Keep the search-time BN after pooling ops. Defaults to False.
        **kwargs: :class:`BaseDartsSSDNeck` arguments.
    """

    def __init__(self, genotype: Union[str, Genotype, Mapping], part: str = 'det_neck',
                 affine: bool = True, pool_bn: bool = False, **kwargs) -> None:
        needed = None
        if kwargs.get('share_cells', True):
            needed = ['reduce'] + (['normal'] if kwargs.get('normal_cells_per_level') else [])
        self.genotype = load_genotype(genotype, part, cells=needed)
        self.part = part
        self._cell_cfg = dict(affine=affine, pool_bn=pool_bn)
        super().__init__(**kwargs)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, c_level: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        geno = self.genotype[key]
        channels = _node_channels(c_level, len(geno.concat), 'DartsSSDNeck')
        cell = DerivedCell(geno, c_prev_prev, c_prev, channels, reduction, reduction_prev,
                           **self._cell_cfg)
        return cell, cell.out_channels

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        return self.cells[index](s0, s1)
