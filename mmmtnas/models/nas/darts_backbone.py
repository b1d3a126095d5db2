"""The derived (fixed) DARTS backbone, built from a genotype file."""
from typing import Mapping, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn

from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import Genotype, GenotypeError, load_genotype
from .cells import DerivedCell
from .darts_backbone_base import BaseDartsBackbone, cell_key


@MODELS.register_module()
class DartsBackbone(BaseDartsBackbone):
    """A searched DARTS backbone as plain modules: no architecture parameters, no mixed ops.

    Drop it into any mmdet / mmseg config::

        custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
        model = dict(backbone=dict(type='mmmtnas.DartsBackbone', genotype='genotype.yaml',
                                   channels=16, num_cells=8, out_indices=(2, 5, 7)))

    The output channels depend on the genotype (``len(concat)`` nodes of ``C * 2^k`` channels
    each); ``python tools/analysis_tools/genotype_info.py GENOTYPE ...`` prints them with a
    ready-to-paste backbone / neck / head snippet.

    Args:
        genotype (str | Genotype | dict): Genotype file written by a search, a
            :class:`Genotype`, or an inline dict.
        part (str): Part to read from the file. Defaults to ``'backbone'``.
        affine (bool): Learn BN scale and shift in the cells. Defaults to True (as DARTS
            evaluates derived networks).
        pool_bn (bool): Keep the search-time BN after pooling ops. Defaults to False.
        drop_path_prob (float): Drop-path probability in training. Defaults to 0.
        expected_out_channels (Sequence[int], optional): The output channels (one per
            ``out_indices``) the rest of the config was written for (the neck's or head's
            ``in_channels``). A genotype whose ``concat`` gives other channels then fails at
            build time with the right numbers, instead of a convolution shape error in the
            neck at the first forward. Defaults to None (no check).
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
                 expected_out_channels: Optional[Sequence[int]] = None,
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
        if expected_out_channels is not None and \
                list(expected_out_channels) != list(self.out_channels):
            source = genotype if isinstance(genotype, str) else 'the given genotype'
            concat = {key: len(self.genotype[key].concat) for key in needed}
            raise ValueError(
                f'DartsBackbone: {source} (part {part!r}) gives out channels '
                f'{self.out_channels} at out_indices {list(self.out_indices)} (cells '
                f'concatenate {concat} nodes), but expected_out_channels='
                f'{list(expected_out_channels)}: set it and the neck / head in_channels to '
                f'{self.out_channels} (tools/analysis_tools/genotype_info.py prints the snippet)')

    def _make_cell(self, key: str, c_prev_prev: int, c_prev: int, channels: int,
                   reduction: bool, reduction_prev: bool) -> Tuple[nn.Module, int]:
        inputs = [i for i in self.genotype[key].concat if i < 2]
        if reduction and inputs:
            # the input nodes keep the previous resolution: torch.cat would fail at the forward
            raise GenotypeError(f'{self.part} cell {key!r}: a reduction cell cannot concatenate '
                                f'its input nodes {inputs} (concat '
                                f'{list(self.genotype[key].concat)}): they are not reduced')
        cell = DerivedCell(self.genotype[key], c_prev_prev, c_prev, channels, reduction,
                           reduction_prev, **self._cell_cfg)
        return cell, cell.out_channels

    def _run_cell(self, index: int, s0: torch.Tensor, s1: torch.Tensor,
                  context) -> torch.Tensor:
        return self.cells[index](s0, s1)
