"""What 'MAdds' means for branched encoders, counted with MMEngine's ``FlopAnalyzer``.

MAdds of a module = ``FlopAnalyzer(module, inputs).total()`` for one image, with the module in
eval mode and batch-norm ops not counted. MMEngine counts one multiply-add as one flop for
convolutions and linear layers; batch norm is left out because at inference it folds into the
preceding convolution, and because MMEngine's count of it depends on whether the norm has an
affine transform and on train/eval mode, which differ between the search supernet (no affine in
each block's last norm) and the derived network. With this definition a block costs the same in
both, so the derived network's count equals the sum of its blocks' counts.
"""
from typing import Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

# TorchScript names of batch-norm ops (eval and train paths).
NORM_OPS = ('aten::batch_norm', 'aten::_native_batch_norm_legit_no_training',
            'aten::native_batch_norm')


def _zero(inputs, outputs) -> int:
    return 0


@torch.no_grad()
def count_madds(module: nn.Module, *inputs: torch.Tensor) -> int:
    """Count a module's MAdds (see the module docstring) on example inputs.

    Args:
        module (nn.Module): The module (left in its train/eval mode afterwards).
        *inputs (Tensor): Example inputs, batch size 1.

    Returns:
        int: Multiply-adds.
    """
    was_training = module.training
    module.eval()
    try:
        analyzer = FlopAnalyzer(module, inputs)
        # A zero-count handle rather than None: mmengine 0.10.7 keeps counting an op whose
        # handle is set to None when it has a default handle (aten::batch_norm does).
        analyzer.set_op_handle(**{op: _zero for op in NORM_OPS})
        return int(analyzer.unsupported_ops_warnings(False)
                   .uncalled_modules_warnings(False).total())
    finally:
        module.train(was_training)


def input_shaped(module: nn.Module, shape: Tuple[int, ...]) -> torch.Tensor:
    """A zero input of ``shape`` (batch 1 prepended) on the module's device."""
    param = next(module.parameters(), None)
    device = param.device if param is not None else 'cpu'
    return torch.zeros(1, *shape, device=device)
