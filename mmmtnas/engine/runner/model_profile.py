"""FLOPs, parameters and CPU latency of a model at a given input size."""
import time
from typing import Dict, Sequence

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer


@torch.no_grad()
def profile_model(model: nn.Module, input_size: Sequence[int], repeats: int = 10,
                  warmup: int = 2, device: str = 'cpu') -> Dict[str, float]:
    """Measure a model's forward (``mode='tensor'``: heads' raw outputs, no post-processing).

    FLOPs are mmengine's :class:`FlopAnalyzer` count (one multiply-add = one FLOP, the
    convention of mmdet/mmseg ``get_flops`` and of the papers' "FLOPs").

    Args:
        model (nn.Module): The model; its ``forward(x)`` must accept a batch of images.
        input_size (Sequence[int]): ``(H, W)``.
        repeats (int): Timed forward passes (median reported). Defaults to 10.
        warmup (int): Untimed passes first. Defaults to 2.
        device (str): Where to time it. Defaults to 'cpu'.

    Returns:
        dict: ``flops_G``, ``params_M`` (all parameters) and ``latency_ms`` (batch 1).
    """
    was_training = model.training
    model = model.to(device).eval()
    x = torch.rand(1, 3, int(input_size[0]), int(input_size[1]), device=device)
    try:
        analyzer = FlopAnalyzer(model, (x, ))
        analyzer.unsupported_ops_warnings(False)
        analyzer.uncalled_modules_warnings(False)
        flops = analyzer.total()
        params = sum(p.numel() for p in model.parameters())
        for _ in range(warmup):
            model(x)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
        times.sort()
    finally:
        model.train(was_training)
    return dict(flops_G=flops / 1e9, params_M=params / 1e6,
                latency_ms=1e3 * times[len(times) // 2], input_size=list(input_size))
