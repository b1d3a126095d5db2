"""One encoder for all tasks, following the dense encoder contract."""
from typing import Dict, List, Sequence, Tuple

from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS


@MODELS.register_module()
class SharedEncoder(BaseModule):
    """Wrap any registered backbone (plus an optional context module) as a shared encoder.

    Encoder contract (INTERFACES.md): ``forward(x)`` returns ``{task: (low_level, high_level)}``
    with low-level features at stride 4, and the encoder has ``tasks``. Here every task gets the
    same tensors, i.e. the "Shared" baseline: the backbone and the ASPP / R-ASPP (part of the
    encoder in BMTAS) are shared. A single-task model is this with one task.

    Args:
        tasks (Sequence[str]): Task names served.
        backbone (dict): Backbone config, e.g. ``mmpretrain.MobileNetV2`` / ``mmpretrain.ResNet``
            with ``out_indices`` covering both levels.
        low_level_index (int): Index of the stride-4 map in the backbone's outputs.
        high_level_index (int): Index of the deepest map in the backbone's outputs.
        context (dict, optional): Module applied to the high-level map (``mmmtnas.EncoderRASPP``
            or ``mmmtnas.EncoderASPP``); None: the backbone's map is used as is.
        init_cfg (dict, optional): Initialisation.
    """

    def __init__(self,
                 tasks: Sequence[str],
                 backbone: ConfigType,
                 low_level_index: int = 0,
                 high_level_index: int = -1,
                 context: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if not tasks:
            raise ValueError('SharedEncoder needs at least one task')
        self.tasks: List[str] = list(tasks)
        self.backbone = MODELS.build(backbone)
        self.context = MODELS.build(context) if context is not None else None
        self.low_level_index = low_level_index
        self.high_level_index = high_level_index

    def forward(self, x: Tensor) -> Dict[str, Tuple[Tensor, Tensor]]:
        """Features of ``x`` for every task (the same tuple for all)."""
        outs = self.backbone(x)
        if not isinstance(outs, (tuple, list)):
            outs = (outs, )
        try:
            low, high = outs[self.low_level_index], outs[self.high_level_index]
        except IndexError:
            raise IndexError(
                f'backbone gave {len(outs)} outputs; low_level_index={self.low_level_index}, '
                f'high_level_index={self.high_level_index} do not fit (set its out_indices)'
            ) from None
        if self.context is not None:
            high = self.context(high)
        return {task: (low, high) for task in self.tasks}
