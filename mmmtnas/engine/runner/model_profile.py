"""FLOPs, parameters and CPU latency of a model at a given input size.

One convention for every figure the project prints (the test stage's metrics, the pipeline
summary, ``tools/analysis_tools/get_flops.py`` and ``search_space_flops.py``): mmengine's
:class:`FlopAnalyzer` counts multiply-accumulates (fvcore's convention, that of mmdet / mmseg
``get_flops``), reported as ``macs_G``; ``flops_G`` is twice that, one multiply and one add per
MAC, the convention of the MTNAS paper's "FLOPs (G)" (its ResNet-18 baselines measure 13.62 /
13.35 / 11.95 G so, printed 13.7 / 13.5 / 12.1 G).
"""
import os
import os.path as osp
import tempfile
import time
from typing import Callable, Dict, Optional, Sequence, Tuple

import torch
import torch.nn as nn
from mmengine.analysis import FlopAnalyzer

from mmmtnas.utils import eval_mode

FLOPS_PER_MAC = 2
#: ``MMMTNAS_PROFILE_ORT=1``: profiles (the test stage's) add the ONNX Runtime latency
PROFILE_ORT_ENV = 'MMMTNAS_PROFILE_ORT'
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


def median_latency_ms(run: Callable[[], object], repeats: int = 10, warmup: int = 2,
                      clock: Callable[[], float] = time.perf_counter) -> float:
    """The median time of ``run()`` in milliseconds, after ``warmup`` untimed calls (the one
    timing loop of eager and ONNX Runtime latencies). ``clock``: wall time by default;
    ``time.process_time`` gives the CPU time of the process, less moved by other processes on
    a shared machine."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(max(int(repeats), 1)):
        start = clock()
        run()
        times.append(clock() - start)
    times.sort()
    return 1e3 * times[len(times) // 2]


def onnxruntime_latency_ms(model: nn.Module, input_size: Sequence[int], repeats: int = 10,
                           warmup: int = 2) -> Optional[float]:
    """Batch-1 CPU latency of the model exported to ONNX (raw head outputs, as ``profile_model``
    times the eager model) and run by ONNX Runtime on torch's thread count.

    Returns:
        float | None: Milliseconds (median); None when onnxruntime is not installed or the
        model is not an exportable multi-task network (``mmmtnas.deployment``).
    """
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return None
    from mmmtnas.deployment import ORTModel, export_onnx
    from mmmtnas.deployment.export_wrapper import EXPORTABLE
    if not isinstance(model, EXPORTABLE):
        return None
    x = torch.rand(1, 3, int(input_size[0]), int(input_size[1])).numpy()
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'model.onnx')
        export_onnx(model.cpu(), path, input_size)
        session = ORTModel(path)
        return median_latency_ms(lambda: session(x), repeats, warmup)


@torch.no_grad()
def profile_model(model: nn.Module, input_size: Sequence[int], repeats: int = 10,
                  warmup: int = 2, device: str = 'cpu',
                  onnxruntime: Optional[bool] = None) -> Dict[str, float]:
    """Measure a model's forward (``mode='tensor'``: heads' raw outputs, no post-processing).

    The input is ``input_size`` as given: the data preprocessors of the MTNAS configs do not pad
    (their DARTS parts take odd feature maps), so it is the size the model sees in test.

    Args:
        model (nn.Module): The model; its ``forward(x)`` must accept a batch of images.
        input_size (Sequence[int]): ``(H, W)``.
        repeats (int): Timed forward passes (median reported). Defaults to 10.
        warmup (int): Untimed passes first. Defaults to 2.
        device (str): Where to time it. Defaults to 'cpu'.
        onnxruntime (bool, optional): Also export the model to ONNX and time it in ONNX
            Runtime (``latency_ort_ms``) when onnxruntime is installed and the model is
            exportable. Defaults to None: on when the environment has
            ``MMMTNAS_PROFILE_ORT=1``, off otherwise, as the export costs seconds (a
            pipeline's test stage passes its ``onnx_latency`` key).

    Returns:
        dict: ``macs_G``, ``flops_G`` (2 x MACs), ``params_M`` (all parameters),
        ``latency_ms`` (batch 1), ``input_size`` and, if measured, ``latency_ort_ms``.
    """
    model = model.to(device)
    x = torch.rand(1, 3, int(input_size[0]), int(input_size[1]), device=device)
    with eval_mode(model):
        macs = mac_analyzer(model, (x, )).total()
        params = sum(p.numel() for p in model.parameters())
        latency = median_latency_ms(lambda: model(x), repeats, warmup)
        if onnxruntime is None:
            onnxruntime = os.environ.get(PROFILE_ORT_ENV) == '1'
        ort_latency = (onnxruntime_latency_ms(model, input_size, repeats, warmup)
                       if onnxruntime and device == 'cpu' else None)
    figures = dict(complexity(macs, params), latency_ms=latency, input_size=list(input_size))
    if ort_latency is not None:
        figures['latency_ort_ms'] = ort_latency
    return figures
