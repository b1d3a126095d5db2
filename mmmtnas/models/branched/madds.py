"""What 'MAdds' (and the BMTAS authors' 'FLOPs') mean for branched encoders.

MAdds of a module = ``FlopAnalyzer(module, inputs).total()`` for one image, with the module in
eval mode and batch-norm ops not counted. MMEngine counts one multiply-add as one flop for
convolutions and linear layers; batch norm is left out because at inference it folds into the
preceding convolution, and because MMEngine's count of it depends on whether the norm has an
affine transform and on train/eval mode, which differ between the search supernet (no affine in
each block's last norm) and the derived network. With this definition a block costs the same in
both, so the derived network's count equals the sum of its blocks' counts.

FLOPs (:func:`count_flops`) are what the BMTAS reference code puts in its resource table: a
multiplication and an addition are two FLOPs, and a dot product of ``K`` terms has ``K``
multiplications and ``K - 1`` additions (plus one for a bias). Per image, counted with forward
hooks on modules: a convolution costs ``(2 K - 1 + bias)`` per output element with
``K = k_h k_w C_in / groups`` (a transposed one per input position and output channel), a linear
layer ``(2 K - 1 + bias)`` per output with ``K = in_features``, a pooling with a kernel
``k_h k_w`` per output element, an adaptive pooling one per input element; everything else
(batch norm, activations, functional interpolation and additions) counts zero. So FLOPs are
slightly less than twice the MAdds (one addition fewer per convolution output).
"""
from typing import List, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

from mmmtnas.utils import eval_mode

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
    with eval_mode(module):
        analyzer = FlopAnalyzer(module, inputs)
        # A zero-count handle rather than None: mmengine 0.10.7 keeps counting an op whose
        # handle is set to None when it has a default handle (aten::batch_norm does).
        analyzer.set_op_handle(**{op: _zero for op in NORM_OPS})
        return int(analyzer.unsupported_ops_warnings(False)
                   .uncalled_modules_warnings(False).total())


def input_shaped(module: nn.Module, shape: Tuple[int, ...]) -> torch.Tensor:
    """A zero input of ``shape`` (batch 1 prepended) on the module's device."""
    param = next(module.parameters(), None)
    device = param.device if param is not None else 'cpu'
    return torch.zeros(1, *shape, device=device)


def _dot_flops(terms: int, bias: bool) -> int:
    return 2 * terms - 1 + int(bias)


def _module_flops(module: nn.Module, inputs: tuple, output: torch.Tensor) -> int:
    """FLOPs of one leaf module call, one image (see the module docstring); 0 if uncounted."""
    if isinstance(module, nn.ConvTranspose2d):
        terms = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // \
            module.groups
        positions = inputs[0][0].shape[1:].numel()
        return _dot_flops(terms, module.bias is not None) * positions * module.out_channels
    if isinstance(module, nn.Conv2d):
        terms = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // \
            module.groups
        return _dot_flops(terms, module.bias is not None) * output[0].numel()
    if isinstance(module, nn.Linear):
        return _dot_flops(module.in_features, module.bias is not None) * output[0].numel()
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return inputs[0][0].numel()
    if isinstance(module, (nn.AvgPool2d, nn.MaxPool2d)):
        k = module.kernel_size
        k_h, k_w = (k, k) if isinstance(k, int) else k
        return k_h * k_w * output[0].numel()
    return 0


@torch.no_grad()
def count_flops(module: nn.Module, *inputs: torch.Tensor) -> int:
    """Count a module's FLOPs as the BMTAS reference code does (see the module docstring).

    Args:
        module (nn.Module): The module (left in its train/eval mode afterwards).
        *inputs (Tensor): Example inputs, batch size 1.

    Returns:
        int: FLOPs for one image.
    """
    if inputs and inputs[0].shape[0] != 1:
        raise ValueError(f'count_flops counts one image: batch size 1, got {inputs[0].shape[0]}')
    counts: List[int] = []
    handles = [m.register_forward_hook(lambda m, i, o: counts.append(_module_flops(m, i, o)))
               for m in module.modules()]
    try:
        with eval_mode(module):
            module(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return sum(counts)
