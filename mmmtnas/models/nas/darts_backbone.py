"""The derived (fixed) DARTS backbone, built from a genotype file."""
from typing import Mapping, Tuple, Union

import torch
import torch.nn as nn

from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import Genotype, load_genotype
from .cells import DerivedCell
from .darts_backbone_base import BaseDartsBackbone, cell_key


@MODELS.register_module()
class DartsBackbone(BaseDartsBackbone):
    """A searched DARTS backbone as plain modules: no architecture parameters, no mixed ops.

    Drop it into any mmdet / mmseg config::

        custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
        model = dict(backbone=dict(type='mmmtnas.DartsBackbone', genotype='genotype.yaml',
                                   channels=16, num_cells=8, out_indices=(2, 5, 7)))

    Args:
        genotype (str | Genotype | dict): Genotype file written by a search, a
            :class:`Genotype`, or an inline dict.
        part (str): Part to read from the file. Defaults to ``'backbone'``.
        affine (bool): Learn BN scale and shift in the cells. Defaults to True (as DARTS
            evaluates derived networks).
        pool_bn (bool): Keep the search-time BN after pooling ops. Defaults to False.
        drop_path_prob (float): Drop-path probability in training. Defaults to 0.
        **kwargs: Layout arguments of :class:`BaseDartsBackbone` (``in_channels``,
            ``channels``, ``num_cells``, ``reduction_cells``, ``stem_type``,
            ``stem_multiplier``, ``share_cells``, ``out_indices``, ``init_cfg``); they must
            match the search when weights are inherited, not otherwise.
    """

    def __init__(self,
                 genotype: Union[str, Genotype, Mapping],
                 part: str = 'backbone',
                 affine: bool = True,
                 pool_bn: bool = False,
                 drop_path_prob: float = 0.,
                 **kwargs) -> None:
        num_cells = kwargs.get('num_cells', 8)
        share = kwargs.get('share_cells', True)
        reductions = kwargs.get('reduction_cells')
        if reductions is None:
            reductions = (num_cells // 3, 2 * num_cells // 3)
        needed = sorted({cell_key(i, i in reductions, share) for i in range(num_cells)})
        self.genotype = load_genotype(genotype, part, cells=needed)
        self.part = part
        self._cell_cfg = dict(affine=affine, pool_bn=pool_bn, drop_path_prob=drop_path_prob)
        super().__init__(**kwargs)

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, channels: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        cell = DerivedCell(self.genotype[key], c_prev_prev, c_prev, channels, reduction,
                           reduction_prev, **self._cell_cfg)
        return cell, cell.out_channels

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        return self.cells[index](s0, s1)
