"""One encoder per task (the "Single" baseline as one model)."""
from typing import Dict, List, Sequence, Tuple

import torch.nn as nn
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class SeparateEncoders(BaseModule):
    """A copy of ``encoder`` for each task, following the dense encoder contract.

    Nothing is shared, so training the multi-task model with it is training one single-task
    network per task (same schedule, summed losses with independent gradients).

    Args:
        tasks (Sequence[str]): Task names.
        encoder (dict): Config of a one-task encoder (e.g. :class:`SharedEncoder` without
            ``tasks``; ``tasks=[task]`` is filled in).
        init_cfg (dict, optional): Initialisation.
    """

    def __init__(self, tasks: Sequence[str], encoder: ConfigType,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if not tasks:
            raise ValueError('SeparateEncoders needs at least one task')
        self.tasks: List[str] = list(tasks)
        self.encoders = nn.ModuleDict(
            {task: MODELS.build(dict(encoder, tasks=[task])) for task in self.tasks})

    def forward(self, x: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Each task's features from its own encoder."""
        return {task: self.encoders[task](x)[task] for task in self.tasks}
