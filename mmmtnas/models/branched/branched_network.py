"""A branched multi-task encoder: a tree of plain blocks, built from a branch file.

Layer ``l`` holds one block per group of tasks that share it (tasks share layer ``l`` when they
took the same copy at every layer up to ``l``); the stem is shared by all. There are no routing
parameters: this is the network a BMTAS search derives, retrained from ImageNet weights. The
same class gives the 'Shared' (one block per layer) and 'Single' (one block per task and layer)
baselines with ``structure='all_shared'`` / ``'all_separate'``.
"""
import copy
import dataclasses
from typing import Dict, List, Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS
from mmmtnas.structures.branch_file import BranchStructure, load_branch_file
from .encoder_layers import build_encoder_layers, init_encoder_copies
from .encoder_split import module_key

STRUCTURES = ('all_shared', 'all_separate')
GROUP_SEP = '+'


def group_key(group: Sequence[str]) -> str:
    """Module name of the block a group of tasks shares: task names joined by '+'."""
    return GROUP_SEP.join(group)


@MODELS.register_module()
class BranchedNetwork(BaseModule):
    """Tree-structured multi-task encoder over a registry-built backbone.

    Follows the dense encoder contract: ``forward(x)`` returns ``{task: (low_level,
    high_level)}`` and ``tasks`` lists the tasks. Each block is computed once for its group.

    Args:
        tasks (Sequence[str]): Tasks served (a subset of the branch file's, in any order).
        backbone (dict): Backbone config, as for :class:`BranchedSupernet`; a 'Pretrained'
            ``init_cfg`` in it (ImageNet) is loaded into the stem and every backbone block.
        branches (str, optional): Branch file written by a search.
        structure (str, optional): 'all_shared' or 'all_separate' instead of a file.
        context (dict, optional): Context-module config (``in_channels`` filled in).
            Defaults to ``dict(type='mmmtnas.EncoderRASPP')``.
        output_stride (int): Stride of the high-level features. Defaults to 16.
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        last_bn_affine (bool): Keep the affine of each layer's last batch norm (only the
            search drops it). Defaults to True.
        init_cfg (dict, optional): Initialisation config of the network itself.
    """

    def __init__(self,
                 tasks: Sequence[str],
                 backbone: ConfigType,
                 branches: Optional[str] = None,
                 structure: Optional[str] = None,
                 context: OptConfigType = dict(type='mmmtnas.EncoderRASPP'),
                 output_stride: int = 16,
                 low_level_stride: int = 4,
                 last_bn_affine: bool = True,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if (branches is None) == (structure is None):
            raise ValueError('BranchedNetwork: give exactly one of branches=<branch file> or '
                             f'structure={STRUCTURES}')
        self.tasks: List[str] = list(tasks)
        bad = [t for t in self.tasks if '.' in t or GROUP_SEP in t or not t]
        if bad or len(set(self.tasks)) != len(self.tasks):
            raise ValueError(f"task names must be unique, non-empty, without '.' or "
                             f"'{GROUP_SEP}': {self.tasks}")
        layers = build_encoder_layers(backbone, context, output_stride, low_level_stride,
                                      last_bn_affine)
        if branches is not None:
            self.branches = load_branch_file(branches, tasks=self.tasks, layers=layers.names)
        elif structure in STRUCTURES:
            make = getattr(BranchStructure, structure)
            self.branches = make(self.tasks, layers.names)
        else:
            raise ValueError(f'structure must be one of {STRUCTURES}, got {structure!r}')
        self.stem = layers.stem
        self.layer_names: List[str] = layers.names
        self.context_layer = layers.context_layer
        self.low_level_layer = layers.low_level_layer
        self.low_level_channels = layers.low_level_channels
        self.out_channels = layers.out_channels
        self.groups: Dict[str, List[List[str]]] = self.branches.groups()
        self.blocks = nn.ModuleDict({
            module_key(name): nn.ModuleDict({
                group_key(group): copy.deepcopy(block) for group in self.groups[name]})
            for name, block in zip(layers.names, layers.blocks)
        })
        self._init_spec = dataclasses.replace(layers, stem=None, blocks=[])

    def init_weights(self) -> None:
        """Initialise every block on its own, then load the backbone's 'Pretrained' checkpoint
        into the stem and every backbone block (each copy of a block from the same weights)."""
        super().init_weights()
        init_encoder_copies(self._init_spec, self.stem, {
            name: list(self.blocks[module_key(name)].values()) for name in self.layer_names})

    def block(self, layer_name: str, group: Sequence[str]) -> nn.Module:
        """Return the block a group of tasks shares at a layer."""
        return self.blocks[module_key(layer_name)][group_key(group)]

    def shared_blocks(self) -> List[Tuple[nn.Module, int]]:
        """Every module with the number of tasks that share it (stem included).

        Returns:
            list[tuple[nn.Module, int]]: ``(module, number of tasks)`` pairs.
        """
        pairs = [(self.stem, len(self.tasks))]
        for name in self.layer_names:
            pairs += [(self.block(name, g), len(g)) for g in self.groups[name]]
        return pairs

    def forward(self, x: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Compute each block once for the tasks that share it.

        Args:
            x (Tensor): Images, ``[N, C, H, W]``.

        Returns:
            dict[str, tuple[Tensor, Tensor]]: Per task, (low-level, high-level) features.
        """
        stem = self.stem(x)
        feats = {t: stem for t in self.tasks}
        low: Dict[str, Tensor] = {}
        for name in self.layer_names:
            new = {}
            for group in self.groups[name]:
                # All tasks of a group shared the previous layer too: same input.
                out = self.block(name, group)(feats[group[0]])
                for t in group:
                    new[t] = out
            feats = new
            if name == self.low_level_layer:
                low = dict(feats)
        return {t: (low[t], feats[t]) for t in self.tasks}
