"""Task columns: one full copy of a DeepLab encoder per task, with a hook after every stage.

Cross-Stitch networks and NDDR-CNN start from one trained single-task network per task (the
columns) and fuse the columns' features after each stage. The columns are cut the way
:class:`~mmmtnas.models.branched.BranchedNetwork` cuts its encoder (same blocks, names, output
stride and ImageNet initialisation), so the 'Single' baseline's checkpoint, or a single-task
model's, maps onto a column key for key (:func:`single_task_state`).
"""
import copy
import dataclasses
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.models.branched.branched_network import GROUP_SEP
from mmmtnas.models.branched.encoder_layers import (EncoderLayers, build_encoder_layers,
                                                    init_encoder_copies, out_channels_of)
from mmmtnas.models.branched.encoder_split import _conv_strides, module_key

STEM = 'stem'

Features = Dict[str, Tensor]


def stage_of(layer_name: str) -> str:
    """Stage of a layer: the backbone's stage ('layer3.1' -> 'layer3'); a context module is a
    stage of its own ('raspp' -> 'raspp')."""
    return layer_name.split('.', 1)[0]


@dataclasses.dataclass
class Stage:
    """Consecutive layers of one backbone stage (or the context module).

    Attributes:
        name (str): 'layer1', ..., or the context layer's name.
        layers (list[str]): Its layer names, in execution order.
        channels (int): Output channels.
        stride (int): Output stride.
        in_channels_last (int): Input channels of its last layer.
    """
    name: str
    layers: List[str]
    channels: int
    stride: int
    in_channels_last: int


def encoder_stages(layers: EncoderLayers) -> Tuple[List[Stage], int, int]:
    """Group the encoder's layers by stage.

    Args:
        layers (EncoderLayers): The cut encoder (after its output stride was set).

    Returns:
        tuple: (stages, stem channels, stem stride).
    """
    stem_channels = out_channels_of(layers.stem)
    stride = _conv_strides(layers.stem)
    stages: List[Stage] = []
    channels = stem_channels
    for name, block in zip(layers.names, layers.blocks):
        before = channels
        stride *= _conv_strides(block)
        channels = out_channels_of(block)
        stage = stage_of(name)
        if stages and stages[-1].name == stage:
            stages[-1].layers.append(name)
            stages[-1].channels, stages[-1].stride = channels, stride
            stages[-1].in_channels_last = before
        else:
            stages.append(Stage(stage, [name], channels, stride, before))
    return stages, stem_channels, _conv_strides(layers.stem)


class TaskColumns(BaseModule):
    """One encoder column per task; subclasses fuse the columns after chosen stages.

    Follows the dense encoder contract (``forward(x) -> {task: (low_level, high_level)}``,
    ``tasks``, ``low_level_channels``, ``out_channels``). Column ``t`` holds its own stem and
    one copy of every block (context module included): ``columns.<t>.stem`` and
    ``columns.<t>.blocks.<layer key>``.

    Args:
        tasks (Sequence[str]): Tasks, one column each.
        backbone (dict): Backbone config, as for ``BranchedNetwork``; its 'Pretrained'
            ``init_cfg`` (ImageNet) is loaded into every column.
        context (dict, optional): Context module ((R-)ASPP) config.
        output_stride (int): Stride of the high-level features. Defaults to 16.
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        fuse_after (Sequence[str], optional): Where the columns are fused: 'stem' and stage
            names ('layer1', ...). Defaults to the stem and every backbone stage (not the
            context module), where the BMTAS paper's MAdds put them.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 tasks: Sequence[str],
                 backbone: ConfigType,
                 context: OptConfigType = dict(type='mmmtnas.EncoderRASPP'),
                 output_stride: int = 16,
                 low_level_stride: int = 4,
                 fuse_after: Optional[Sequence[str]] = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        self.tasks: List[str] = list(tasks)
        bad = [t for t in self.tasks if '.' in t or GROUP_SEP in t or not t]
        if bad or len(set(self.tasks)) != len(self.tasks) or not self.tasks:
            raise ValueError(f"{type(self).__name__}: task names must be unique, non-empty, "
                             f"without '.' or '{GROUP_SEP}': {self.tasks}")
        layers = build_encoder_layers(backbone, context, output_stride, low_level_stride)
        self.layer_names: List[str] = layers.names
        self.context_layer = layers.context_layer
        self.low_level_layer = layers.low_level_layer
        self.low_level_channels = layers.low_level_channels
        self.out_channels = layers.out_channels
        self.stages, self.stem_channels, _ = encoder_stages(layers)
        low_stage = next(s for s in self.stages if layers.low_level_layer in s.layers)
        if low_stage.layers[-1] != layers.low_level_layer:
            raise ValueError(f'{type(self).__name__}: the low-level layer '
                             f'{layers.low_level_layer!r} must end its stage {low_stage.name}')
        names = [STEM] + [s.name for s in self.stages]
        if fuse_after is None:
            fuse_after = [n for n in names if n != self.context_layer]
        unknown = [n for n in fuse_after if n not in names]
        if unknown:
            raise ValueError(f'{type(self).__name__}: fuse_after names {unknown}, not among '
                             f'the stem and the stages {names}')
        self.fuse_after: List[str] = [n for n in names if n in fuse_after]
        self.columns = nn.ModuleDict({
            task: nn.ModuleDict(OrderedDict(
                stem=copy.deepcopy(layers.stem),
                blocks=nn.ModuleDict({module_key(n): copy.deepcopy(b)
                                      for n, b in zip(layers.names, layers.blocks)})))
            for task in self.tasks
        })
        self._init_spec = dataclasses.replace(layers, stem=None, blocks=[])

    def channels_after(self, point: str) -> int:
        """Channels of the features at a fusion point ('stem' or a stage name)."""
        if point == STEM:
            return self.stem_channels
        return next(s.channels for s in self.stages if s.name == point)

    def init_weights(self) -> None:
        """Initialise each column as the Single baseline's blocks are (ImageNet into the stem
        and every backbone block), then the fusion units (:meth:`init_fusion`)."""
        super().init_weights()
        for task in self.tasks:
            column = self.columns[task]
            init_encoder_copies(self._init_spec, column['stem'], {
                n: [column['blocks'][module_key(n)]] for n in self.layer_names})
        self.init_fusion()

    def init_fusion(self) -> None:
        """Initialise the fusion units (after everything else)."""

    def fuse(self, point: str, feats: Features) -> Features:
        """Fuse the columns' features after ``point``; subclasses override."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Run every column, fusing after each point of ``fuse_after``.

        Args:
            x (Tensor): Images, ``[N, C, H, W]``.

        Returns:
            dict[str, tuple[Tensor, Tensor]]: Per task, (low-level, high-level) features.
        """
        feats = {t: self.columns[t]['stem'](x) for t in self.tasks}
        if STEM in self.fuse_after:
            feats = self.fuse(STEM, feats)
        low: Features = {}
        for stage in self.stages:
            for name in stage.layers:
                key = module_key(name)
                feats = {t: self.columns[t]['blocks'][key](feats[t]) for t in self.tasks}
            if stage.name in self.fuse_after:
                feats = self.fuse(stage.name, feats)
            if self.low_level_layer in stage.layers:
                low = dict(feats)
        return {t: (low[t], feats[t]) for t in self.tasks}


def single_task_state(state: Mapping[str, Tensor], task: str,
                      encoder_prefix: str = 'encoder.') -> Dict[str, Tensor]:
    """Map a trained single-task (or 'Single' baseline) model's weights onto column ``task``.

    The source is a :class:`~mmmtnas.models.dense.DenseMultiTaskModel` state dict whose encoder
    is a ``BranchedNetwork``: its shared stem (``encoder.stem.*``), the block of every layer
    that ``task`` uses (``encoder.blocks.<layer>.<group>.*``, the group naming ``task``; in the
    Single baseline each group is one task) and the task's head (``heads.<task>.*``).

    Args:
        state (Mapping[str, Tensor]): The source state dict.
        task (str): The task whose column and head receive the weights.
        encoder_prefix (str): Prefix of the encoder keys in both models.

    Returns:
        dict[str, Tensor]: Keys of the column model (``encoder.columns.<task>.*`` and
        ``heads.<task>.*``).
    """
    out = {}
    stem, blocks = f'{encoder_prefix}stem.', f'{encoder_prefix}blocks.'
    column = f'{encoder_prefix}columns.{task}.'
    for key, value in state.items():
        if key.startswith(stem):
            out[column + 'stem.' + key[len(stem):]] = value
        elif key.startswith(blocks):
            layer, group, rest = key[len(blocks):].split('.', 2)
            if task in group.split(GROUP_SEP):
                out[f'{column}blocks.{layer}.{rest}'] = value
        elif key.startswith(f'heads.{task}.'):
            out[key] = value
    return out
