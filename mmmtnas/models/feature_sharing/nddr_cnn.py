"""NDDR-CNN (Gao et al., CVPR 2019): neural discriminative dimensionality reduction layers
over task columns."""
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.utils import ConfigType
from torch import Tensor

from mmmtnas.registry import MODELS
from .columns import Features, TaskColumns
from .cross_stitch import diagonal_mix


class NDDRLayer(nn.Module):
    """Per task: concatenate all tasks' features, 1x1 conv (no bias) to C channels, BN, act.

    Initialised so that at the start each task's output is ``same`` times its own features plus
    ``(1 - same) / (T - 1)`` times every other task's, channel by channel: the 1x1 weight of
    task ``i`` is ``[d_i1 I, ..., d_iT I]`` with ``d`` from :func:`diagonal_mix` (BN weight 1,
    bias 0).

    Args:
        tasks (Sequence[str]): Task order of the concatenation.
        channels (int): Channels of each task's features.
        init_same (float): Initial weight of a task's own features. Defaults to 0.9.
        norm_cfg (dict): Norm config. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation config. Defaults to ``dict(type='ReLU')``.
    """

    def __init__(self, tasks: Sequence[str], channels: int, init_same: float = 0.9,
                 norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU')) -> None:
        super().__init__()
        self.tasks = list(tasks)
        self.channels = channels
        self.init_same = float(init_same)
        self.layers = nn.ModuleDict({
            t: ConvModule(len(self.tasks) * channels, channels, 1, bias=False,
                          norm_cfg=norm_cfg, act_cfg=act_cfg)
            for t in self.tasks})
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """The diagonal initialisation (see the class docstring)."""
        mix = diagonal_mix(len(self.tasks), self.init_same)
        eye = torch.eye(self.channels)
        with torch.no_grad():
            for i, t in enumerate(self.tasks):
                weight = torch.cat([mix[i, j] * eye for j in range(len(self.tasks))], dim=1)
                self.layers[t].conv.weight.copy_(weight[:, :, None, None])
                norm = self.layers[t].norm if self.layers[t].with_norm else None
                if norm is not None and norm.affine:
                    norm.weight.fill_(1.)
                    norm.bias.zero_()

    def forward(self, feats: Features) -> Features:
        joined: Tensor = torch.cat([feats[t] for t in self.tasks], dim=1)
        return {t: self.layers[t](joined) for t in self.tasks}


@MODELS.register_module()
class NDDRNetwork(TaskColumns):
    """Task columns with an NDDR layer after the stem and every backbone stage.

    Args:
        init_same (float): Initial weight of a task's own features. Defaults to 0.9.
        norm_cfg (dict): Norm of the NDDR layers. Defaults to ``dict(type='BN')``.
        act_cfg (dict): Their activation (ReLU6 for MobileNetV2, as the BMTAS appendix
            replaces every ReLU). Defaults to ``dict(type='ReLU')``.
        **kwargs: See :class:`TaskColumns`.
    """

    def __init__(self, *, init_same: float = 0.9, norm_cfg: ConfigType = dict(type='BN'),
                 act_cfg: ConfigType = dict(type='ReLU'), **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0. < init_same <= 1.:
            raise ValueError(f'NDDRNetwork: init_same must be in (0, 1], got {init_same}')
        self.nddr = nn.ModuleDict({
            point: NDDRLayer(self.tasks, self.channels_after(point), init_same, norm_cfg,
                             act_cfg)
            for point in self.fuse_after})

    def init_fusion(self) -> None:
        # ConvModule.init_weights (run by BaseModule.init_weights) draws the 1x1 weights anew
        for layer in self.nddr.values():
            layer.reset_parameters()

    def fuse(self, point: str, feats: Features) -> Features:
        return self.nddr[point](feats)
