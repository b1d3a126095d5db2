"""Per-layer cost tables of a branched encoder, measured on the real blocks and cached.

The resource loss needs the cost of one copy of every searchable layer at a chosen input size
(the BMTAS reference code measures its table at the full-resolution crop, 512x512 on
PASCAL-Context, while its search runs at half resolution). Three metrics:

- ``'madds'``: multiply-adds for one image, counted by MMEngine's ``FlopAnalyzer`` as defined
  in :mod:`mmmtnas.models.branched.madds` (MMEngine counts one multiply-add as one "flop" for
  convolutions and linear layers, so its flop total *is* the MAdds; batch norm is left out).
  Device independent.
- ``'flops'``: FLOPs for one image as the BMTAS reference code counts them (multiply and add
  separately, one addition fewer than multiplications per dot product; see
  :func:`~mmmtnas.models.branched.madds.count_flops`). Device independent.
- ``'latency'``: median wall time in milliseconds of ``num_runs`` forward passes of each layer
  (batch 1, eval mode, no grad) on the device the layers live on, after warm-up runs.

Tables are cached in one JSON file holding several entries, each keyed by metric, model key,
input size (and device for latency); an entry whose layer names do not match the model is
stale and is measured again. Writes are atomic (temporary file in the same folder, then
``os.replace``).
"""
import hashlib
import json
import math
import os
import statistics
import tempfile
import time
import warnings
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from torch import Tensor

from mmmtnas.utils import eval_mode
from .madds import count_flops, count_madds

METRICS = ('madds', 'flops', 'latency')
UNITS = dict(
    madds='multiply-adds per image (mmengine FlopAnalyzer, batch norm not counted)',
    flops='FLOPs per image as the BMTAS reference code counts them (2 K - 1 per K-term dot '
          'product)',
    latency='milliseconds per image, median')
CACHE_FORMAT = 'mmmtnas.layer_cost_table'
CACHE_VERSION = 1

LayerInputs = Union[Tensor, Sequence[Tensor]]


def _layer_inputs(layers: Sequence[nn.Module], inputs: LayerInputs):
    """Yield ``(layer, input)``; a single tensor is fed to the first layer and each output
    to the next, a sequence gives every layer its own input."""
    if isinstance(inputs, Tensor):
        x = inputs
        for layer in layers:
            yield layer, x
            with torch.no_grad():
                x = layer(x)
    else:
        if len(inputs) != len(layers):
            raise ValueError(f'got {len(inputs)} layer inputs for {len(layers)} layers')
        yield from zip(layers, inputs)


def measure_layer_madds(layers: Sequence[nn.Module], inputs: LayerInputs,
                        metric: str = 'madds') -> List[int]:
    """MAdds (or FLOPs) of each layer on its input (see the module docstring).

    Args:
        layers (Sequence[nn.Module]): Layers in execution order.
        inputs (Tensor | Sequence[Tensor]): The first layer's input (batch 1; later layers get
            the previous layer's output), or one input per layer.
        metric (str): 'madds' or 'flops'. Defaults to 'madds'.

    Returns:
        list[int]: One count per layer.
    """
    counter = dict(madds=count_madds, flops=count_flops)[metric]  # each counts in eval mode
    return [counter(layer, x) for layer, x in _layer_inputs(layers, inputs)]


@torch.no_grad()
def measure_layer_latency(layers: Sequence[nn.Module],
                          inputs: LayerInputs,
                          num_runs: int = 20,
                          num_warmup: int = 3) -> List[float]:
    """Median forward time of each layer, in milliseconds, on the layers' current device.

    Args:
        layers (Sequence[nn.Module]): Layers in execution order.
        inputs (Tensor | Sequence[Tensor]): As in :func:`measure_layer_madds`.
        num_runs (int): Timed runs per layer. Defaults to 20.
        num_warmup (int): Untimed runs first (allocator, cudnn autotuning). Defaults to 3.

    Returns:
        list[float]: One median per layer.
    """
    if num_runs < 1:
        raise ValueError(f'num_runs must be >= 1, got {num_runs}')
    results = []
    for layer, x in _layer_inputs(layers, inputs):
        sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
        with eval_mode(layer):
            for _ in range(num_warmup):
                layer(x)
            times = []
            for _ in range(num_runs):
                sync()
                start = time.perf_counter()
                layer(x)
                sync()
                times.append((time.perf_counter() - start) * 1e3)
        results.append(statistics.median(times))
    return results


def device_name(device: Union[str, torch.device]) -> str:
    """A readable device key for latency tables, e.g. 'cuda:NVIDIA H100 80GB HBM3' or 'cpu'."""
    device = torch.device(device)
    if device.type == 'cuda':
        return f'cuda:{torch.cuda.get_device_name(device)}'
    return device.type


def cache_entry_key(metric: str, model_key: str, input_size: Sequence[int],
                    device: Optional[str] = None) -> str:
    """Key of one table in a cache file: metric, model, ``HxW`` (and device for latency)."""
    key = f'{metric}|{model_key}|{"x".join(str(int(s)) for s in input_size)}'
    return key if device is None else f'{key}|{device}'


def _read_cache(cache_file: str) -> Dict[str, dict]:
    if not os.path.exists(cache_file):
        return {}
    try:
        with open(cache_file) as f:
            data = json.load(f)
    except (OSError, json.JSONDecodeError) as err:
        raise ValueError(f'layer cost cache {cache_file} is not readable JSON ({err}); delete '
                         'it to measure again') from err
    if not isinstance(data, dict) or data.get('format') != CACHE_FORMAT:
        raise ValueError(f'{cache_file} is not a layer cost cache (expected "format": '
                         f'"{CACHE_FORMAT}"); choose another cache_file')
    if data.get('version') != CACHE_VERSION or not isinstance(data.get('entries'), dict):
        raise ValueError(f'layer cost cache {cache_file} has version {data.get("version")!r} '
                         f'or no "entries"; expected version {CACHE_VERSION}; delete it')
    return data['entries']


def _write_cache(cache_file: str, entries: Dict[str, dict]) -> None:
    folder = os.path.dirname(os.path.abspath(cache_file))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp_cost_table_', suffix='.json')
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(dict(format=CACHE_FORMAT, version=CACHE_VERSION, entries=entries), f,
                      indent=2, sort_keys=True)
        os.replace(tmp, cache_file)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _valid_entry(entry, layer_names: Sequence[str]) -> bool:
    if not isinstance(entry, dict) or not isinstance(entry.get('layers'), dict):
        return False
    costs = entry['layers']
    return (list(costs) == list(layer_names) and all(
        isinstance(v, (int, float)) and math.isfinite(v) and v >= 0 for v in costs.values()))


def cached_layer_costs(cache_file: Optional[str], key: str, layer_names: Sequence[str],
                       measure: Callable[[], Sequence[float]],
                       info: Optional[dict] = None) -> List[float]:
    """Return a cost table from ``cache_file`` under ``key``, or measure and store it.

    An entry whose layer names differ from ``layer_names`` (or holds non-finite or negative
    costs) is stale: it is measured again and replaced, with a warning.

    Args:
        cache_file (str, optional): JSON cache; None measures every time.
        key (str): Entry key (see :func:`cache_entry_key`).
        layer_names (Sequence[str]): Layer names, in order; stored with the costs.
        measure (Callable[[], Sequence[float]]): Measures the costs, in layer order.
        info (dict, optional): Extra fields stored with a new entry (unit, input size, ...).

    Returns:
        list[float]: One cost per layer.
    """
    entries = _read_cache(cache_file) if cache_file else {}
    entry = entries.get(key)
    if entry is not None:
        if _valid_entry(entry, layer_names):
            return [float(v) for v in entry['layers'].values()]
        warnings.warn(f'layer cost cache {cache_file}: entry {key!r} does not match the model '
                      f'(layers {list(layer_names)}); measuring again')
    costs = [float(c) for c in measure()]
    if len(costs) != len(layer_names):
        raise ValueError(f'measured {len(costs)} costs for {len(layer_names)} layers')
    if cache_file:
        entries = _read_cache(cache_file)  # re-read: another process may have added entries
        entries[key] = dict(info or {}, layers=dict(zip(layer_names, costs)))
        _write_cache(cache_file, entries)
    return costs


def supernet_model_key(supernet: nn.Module) -> str:
    """A key that changes whenever the architecture of the stem or of a layer changes.

    Hashes the printed structure (types, channels, strides, dilations) of the stem and of copy
    0 of every layer, with the layer names.
    """
    text = repr(supernet.stem) + ''.join(
        f'\n{name}:{supernet.block(name)!r}' for name in supernet.layer_names)
    return f'{type(supernet).__name__}-{hashlib.sha1(text.encode()).hexdigest()[:16]}'


def supernet_layer_costs(supernet: nn.Module,
                         input_size: Tuple[int, int],
                         cache_file: Optional[str] = None,
                         metric: str = 'madds',
                         model_key: Optional[str] = None,
                         in_channels: int = 3,
                         num_runs: int = 20) -> List[float]:
    """Cost of one copy of every layer of a ``BranchedSupernet`` at an image size.

    Every layer is measured on copy 0 with the input shape it has for an image of
    ``input_size`` (copies are identical in structure).

    Args:
        supernet (nn.Module): A ``mmmtnas.BranchedSupernet`` (``stem``, ``layer_names``,
            ``block(name)``, ``layer_input_shapes(input_size)``).
        input_size (tuple[int, int]): Image ``(H, W)``: the size the search runs at.
        cache_file (str, optional): JSON cache (see :func:`cached_layer_costs`).
        metric (str): 'madds', 'flops' or 'latency'. Defaults to 'madds'.
        model_key (str, optional): Cache key of the model; defaults to
            :func:`supernet_model_key`.
        in_channels (int): Image channels. Defaults to 3.
        num_runs (int): Timed runs per layer for 'latency'. Defaults to 20.

    Returns:
        list[float]: One cost per layer, in ``supernet.layer_names`` order.
    """
    if metric not in METRICS:
        raise ValueError(f'metric must be one of {METRICS}, got {metric!r}')
    if len(input_size) != 2:
        raise ValueError(f'input_size must be (H, W), got {input_size!r}')
    names = list(supernet.layer_names)
    model_key = model_key or supernet_model_key(supernet)
    param = next(supernet.parameters())
    device = device_name(param.device) if metric == 'latency' else None
    key = cache_entry_key(metric, model_key, input_size, device)

    def measure() -> List[float]:
        shapes = supernet.layer_input_shapes(tuple(input_size), in_channels)
        layers = [supernet.block(name) for name in names]
        inputs = [torch.zeros(1, *shapes[name], device=param.device) for name in names]
        if metric in ('madds', 'flops'):
            return measure_layer_madds(layers, inputs, metric)
        return measure_layer_latency(layers, inputs, num_runs=num_runs)

    info = dict(metric=metric, unit=UNITS[metric], model_key=model_key,
                input_size=[int(s) for s in input_size], device=device)
    return cached_layer_costs(cache_file, key, names, measure, info)
