"""Cross-Stitch Networks (Misra et al., CVPR 2016) over task columns."""
from typing import Dict, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from mmmtnas.registry import MODELS
from .columns import Features, TaskColumns


def diagonal_mix(num_tasks: int, same: float) -> Tensor:
    """A ``T x T`` mixing matrix: ``same`` on the diagonal, ``(1 - same) / (T - 1)`` elsewhere,
    so every row sums to one (the features start as a convex combination, mostly their own)."""
    if num_tasks == 1:
        return torch.ones(1, 1)
    other = (1.0 - same) / (num_tasks - 1)
    return torch.full((num_tasks, num_tasks), other).fill_diagonal_(same)


class CrossStitchUnit(nn.Module):
    """One cross-stitch unit over T feature tensors: ``out_i = sum_j w_ij x_j``.

    One weight per pair of tasks and tensor (the BMTAS appendix: "one unit per feature tensor
    (as opposed to channel-wise) yielded more stable results").

    Args:
        tasks (Sequence[str]): Task order of the weight matrix.
        init_same (float): Initial weight of a task's own features. Defaults to 0.9.
    """

    def __init__(self, tasks: Sequence[str], init_same: float = 0.9) -> None:
        super().__init__()
        self.tasks = list(tasks)
        self.init_same = float(init_same)
        self.weight = nn.Parameter(diagonal_mix(len(self.tasks), self.init_same))

    def reset_parameters(self) -> None:
        """Back to the initial mix."""
        with torch.no_grad():
            self.weight.copy_(diagonal_mix(len(self.tasks), self.init_same))

    def forward(self, feats: Features) -> Features:
        """Mix the tasks' features (all of one shape)."""
        stacked = torch.stack([feats[t] for t in self.tasks])  # (T, N, C, H, W)
        # a matmul rather than an einsum: mmengine counts it exactly (T^2 N C H W)
        mixed = torch.matmul(self.weight, stacked.flatten(1)).view_as(stacked)
        return {t: mixed[i] for i, t in enumerate(self.tasks)}


@MODELS.register_module()
class CrossStitchNetwork(TaskColumns):
    """Task columns with a cross-stitch unit after the stem and every backbone stage.

    Args:
        init_same (float): Initial weight of a task's own features in every unit; the others
            share ``1 - init_same``. Defaults to 0.9.
        **kwargs: See :class:`TaskColumns` (``tasks``, ``backbone``, ``context``,
            ``output_stride``, ``fuse_after``, ...).
    """

    def __init__(self, *, init_same: float = 0.9, **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0. < init_same <= 1.:
            raise ValueError(f'CrossStitchNetwork: init_same must be in (0, 1], got {init_same}')
        self.stitch: Dict[str, CrossStitchUnit] = nn.ModuleDict(
            {point: CrossStitchUnit(self.tasks, init_same) for point in self.fuse_after})

    def init_fusion(self) -> None:
        for unit in self.stitch.values():
            unit.reset_parameters()

    def fuse(self, point: str, feats: Features) -> Features:
        return self.stitch[point](feats)
