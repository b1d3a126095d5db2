"""Skeleton shared by the searchable and the derived DARTS backbone: stem, channel and
resolution layout of the stacked cells, multi-scale outputs. Subclasses only say how to build
and run one cell."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule


STEM_TYPES = ('cifar', 'imagenet')


def cell_key(index: int, reduction: bool, share_cells: bool) -> str:
    """Name of the cell type of cell ``index`` (the genotype / alpha key).

    Args:
        index (int): Cell index.
        reduction (bool): Whether it is a reduction cell.
        share_cells (bool): All normal (reduction) cells share one architecture (DARTS).

    Returns:
        str: ``'normal'`` / ``'reduce'`` when shared, else ``'cell<index>'``.
    """
    if share_cells:
        return 'reduce' if reduction else 'normal'
    return f'cell{index}'


class BaseDartsBackbone(BaseModule):
    """Stem followed by ``num_cells`` cells; reduction cells double the channels.

    Args:
        in_channels (int): Image channels. Defaults to 3.
        channels (int): Node channels of the first cells (DARTS ``C``). Defaults to 16.
        num_cells (int): Number of cells (DARTS ``layers``). Defaults to 8.
        reduction_cells (Sequence[int], optional): Indices of reduction cells. None uses
            DARTS's ``(num_cells // 3, 2 * num_cells // 3)``.
        stem_type (str): ``'cifar'`` (3x3 conv + BN at stride 1, ``stem_multiplier * C``
            channels) or ``'imagenet'`` (two stride-2 stems as DARTS's ImageNet network: the
            first cell sees strides 4 and 8). Defaults to ``'cifar'``.
        stem_multiplier (int): Channel multiplier of the CIFAR stem. Defaults to 3.
        share_cells (bool): All normal (reduction) cells share one architecture. Defaults to
            True.
        out_indices (Sequence[int]): Cells whose outputs are returned (negative indices count
            from the end). Defaults to ``(-1, )``.
        init_cfg (dict | list[dict], optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 3,
                 channels: int = 16,
                 num_cells: int = 8,
                 reduction_cells: Optional[Sequence[int]] = None,
                 stem_type: str = 'cifar',
                 stem_multiplier: int = 3,
                 share_cells: bool = True,
                 out_indices: Sequence[int] = (-1, ),
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if stem_type not in STEM_TYPES:
            raise ValueError(f'stem_type must be one of {STEM_TYPES}, got {stem_type!r}')
        if num_cells < 1:
            raise ValueError(f'num_cells must be >= 1, got {num_cells}')
        if reduction_cells is None:
            reduction_cells = (num_cells // 3, 2 * num_cells // 3)
        bad = [i for i in reduction_cells if not 0 <= i < num_cells]
        if bad:
            raise ValueError(f'reduction_cells {list(reduction_cells)} must lie in '
                             f'0..{num_cells - 1}')
        self.reduction_cells = tuple(sorted(set(int(i) for i in reduction_cells)))
        self.num_cells = num_cells
        self.stem_type = stem_type
        self.share_cells = share_cells
        self.out_indices = tuple(i % num_cells for i in out_indices)
        if any(not -num_cells <= i < num_cells for i in out_indices):
            raise ValueError(f'out_indices {list(out_indices)} out of range for '
                             f'{num_cells} cells')

        if stem_type == 'cifar':
            c_stem = stem_multiplier * channels
            self.stem = nn.Sequential(
                nn.Conv2d(in_channels, c_stem, 3, padding=1, bias=False),
                nn.BatchNorm2d(c_stem))
            c_prev_prev = c_prev = c_stem
            reduction_prev = False
        else:
            self.stem0 = nn.Sequential(
                nn.Conv2d(in_channels, channels // 2, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(channels // 2), nn.ReLU(inplace=True),
                nn.Conv2d(channels // 2, channels, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(channels))
            self.stem1 = nn.Sequential(
                nn.ReLU(inplace=False),
                nn.Conv2d(channels, channels, 3, stride=2, padding=1, bias=False),
                nn.BatchNorm2d(channels))
            c_prev_prev = c_prev = channels
            reduction_prev = True

        self.cells = nn.ModuleList()
        self.cell_keys: List[str] = []
        cell_channels: List[int] = []
        c = channels
        for i in range(num_cells):
            reduction = i in self.reduction_cells
            if reduction:
                c *= 2
            key = cell_key(i, reduction, share_cells)
            cell, c_out = self._make_cell(key, c_prev_prev, c_prev, c, reduction, reduction_prev)
            self.cells.append(cell)
            self.cell_keys.append(key)
            cell_channels.append(c_out)
            c_prev_prev, c_prev, reduction_prev = c_prev, c_out, reduction
        self.cell_channels = cell_channels
        self.out_channels = [cell_channels[i] for i in self.out_indices]

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, channels: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        """Build one cell; return it and its output channels."""
        raise NotImplementedError

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        """Run cell ``index``; ``context`` is what :meth:`_forward_context` returned."""
        raise NotImplementedError

    def _forward_context(self):
        """Computed once per forward (e.g. the softmaxed architecture weights)."""
        return None

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """Return the outputs of the cells in ``out_indices``, shallow to deep."""
        if self.stem_type == 'cifar':
            s0 = s1 = self.stem(x)
        else:
            s0 = self.stem0(x)
            s1 = self.stem1(s0)
        context = self._forward_context()
        outs = []
        for i in range(self.num_cells):
            s0, s1 = s1, self._run_cell(i, s0, s1, context)
            if i in self.out_indices:
                outs.append(s1)
        return tuple(outs)
