"""FLOPs, parameters and CPU latency of a model at a given input size.

One convention for every figure the project prints (the test stage's metrics, the pipeline
summary, ``tools/analysis_tools/get_flops.py`` and ``search_space_flops.py``): mmengine's
:class:`FlopAnalyzer` counts multiply-accumulates (fvcore's convention, that of mmdet / mmseg
``get_flops``), reported as ``macs_G``; ``flops_G`` is twice that, one multiply and one add per
MAC, the convention of the MTNAS paper's "FLOPs (G)" (its ResNet-18 baselines measure 13.62 /
13.35 / 11.95 G so, printed 13.7 / 13.5 / 12.1 G).
"""
import time
from typing import Dict, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

from mmmtnas.utils import eval_mode

FLOPS_PER_MAC = 2
CONVENTION = ('MACs = multiply-accumulates (mmengine FlopAnalyzer); '
              'FLOPs = 2 x MACs (the MTNAS paper\'s FLOPs)')


def mac_analyzer(model: nn.Module, inputs: Tuple[torch.Tensor, ...]) -> FlopAnalyzer:
    """mmengine's analyzer of ``model(*inputs)``, quiet about ops it does not count.

    Its ``total()`` and ``by_module()`` are multiply-accumulates (MACs).
    """
    analyzer = FlopAnalyzer(model, inputs)
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    return analyzer


def complexity(macs: float, params: float) -> Dict[str, float]:
    """The labelled figures of a MAC and parameter count.

    Args:
        macs (float): Multiply-accumulates.
        params (float): Parameters.

    Returns:
        dict: ``macs_G``, ``flops_G`` (= 2 x MACs) and ``params_M``.
    """
    return dict(macs_G=macs / 1e9, flops_G=FLOPS_PER_MAC * macs / 1e9, params_M=params / 1e6)


@torch.no_grad()
def profile_model(model: nn.Module, input_size: Sequence[int], repeats: int = 10,
                  warmup: int = 2, device: str = 'cpu') -> Dict[str, float]:
    """Measure a model's forward (``mode='tensor'``: heads' raw outputs, no post-processing).

    The input is ``input_size`` as given: the data preprocessors of the MTNAS configs do not pad
    (their DARTS parts take odd feature maps), so it is the size the model sees in test.

    Args:
        model (nn.Module): The model; its ``forward(x)`` must accept a batch of images.
        input_size (Sequence[int]): ``(H, W)``.
        repeats (int): Timed forward passes (median reported). Defaults to 10.
        warmup (int): Untimed passes first. Defaults to 2.
        device (str): Where to time it. Defaults to 'cpu'.

    Returns:
        dict: ``macs_G``, ``flops_G`` (2 x MACs), ``params_M`` (all parameters),
        ``latency_ms`` (batch 1) and ``input_size``.
    """
    model = model.to(device)
    x = torch.rand(1, 3, int(input_size[0]), int(input_size[1]), device=device)
    with eval_mode(model):
        macs = mac_analyzer(model, (x, )).total()
        params = sum(p.numel() for p in model.parameters())
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
        times.sort()
    return dict(complexity(macs, params), latency_ms=1e3 * times[len(times) // 2],
                input_size=list(input_size))
