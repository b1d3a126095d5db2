"""Time one BMTAS search iteration (architecture + weight phase) in both update orders.

Builds the search model of a BMTAS search config (default: the five-task MobileNetV2 + R-ASPP
supergraph of ``configs/bmtas/mnv2_pascal_mt_search.py``, weights as the constructors leave them:
no checkpoint is loaded) once per update order, ``update='per_task'`` (the paper's: T weight
steps per batch, T forward/backward passes and one Adam step per architecture batch) and
``update='summed'`` (one forward pass of all tasks and one step per phase), feeds both the same
random multi-task batch at a small input, and times ``train_step`` of the architecture phase and
of the weight phase, the two modes interleaved repeat by repeat (the median is reported; the
machine's load moves single runs). It also reports the activations one forward pass saves for
its backward at the peak of each phase (per task: one task's; summed: all tasks' at once).
Writes one JSON file.

Example:
    python tools/benchmarks/bench_bmtas_update_order.py --size 64 --batch 2 --repeats 3 \
        --threads 1 --out tools/benchmarks/results/bench_bmtas_update_order.json
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import sys
import time

import torch

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmengine.config import Config  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.structures import PixelData  # noqa: E402
from mmseg.structures import SegDataSample  # noqa: E402

from mmmtnas.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS  # noqa: E402
from mmmtnas.structures.file_io import write_text_atomically  # noqa: E402

MODES = ('per_task', 'summed')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--config', default='configs/bmtas/mnv2_pascal_mt_search.py')
    parser.add_argument('--size', type=int, default=64, help='square input size')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (1 is steadiest on a busy machine)')
    parser.add_argument('--out', default='tools/benchmarks/results/bench_bmtas_update_order.json')
    return parser.parse_args()


def random_batch(heads: dict, n: int, size: int, seed: int) -> dict:
    """A multi-task batch as the dense pipelines pack it: labels for argmax heads, unit
    normals for 3-channel 'normalize' heads, binary maps for sigmoid heads."""
    g = torch.Generator().manual_seed(seed)
    samples = []
    for _ in range(n):
        sample = SegDataSample(metainfo=dict(img_shape=(size, size)))
        for task, head in heads.items():
            if head['postprocess'] == 'argmax':
                gt = torch.randint(0, head['num_classes'], (1, size, size), generator=g)
            elif head['postprocess'] == 'normalize':
                gt = torch.nn.functional.normalize(torch.randn(3, size, size, generator=g), dim=0)
            else:
                gt = (torch.rand(1, size, size, generator=g) > 0.7).float()
            sample.set_field(PixelData(data=gt), f'gt_{task}')
        samples.append(sample)
    inputs = [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
              for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def build(cfg: Config, mode: str, seed: int):
    torch.manual_seed(seed)
    model_cfg = cfg.model.to_dict()
    model_cfg['update'] = mode
    algorithm = MODELS.build(model_cfg)
    algorithm.train()
    optim = OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
        type=cfg.optim_wrapper.constructor,
        optim_wrapper_cfg={k: v for k, v in cfg.optim_wrapper.to_dict().items()
                           if k != 'constructor'}))(algorithm)
    return algorithm, optim


def count_steps(optim) -> dict:
    """Wrap each optimiser's ``step`` to count calls."""
    counts = {}
    for key in ('arch', 'weights'):
        optimizer, counts[key] = optim[key].optimizer, 0
        step = optimizer.step

        def counting(*args, _key=key, _step=step, **kwargs):
            counts[_key] += 1
            return _step(*args, **kwargs)

        optimizer.step = counting
    return counts


def saved_activation_bytes(algorithm, optim, data: dict, phase: str) -> int:
    """Largest total of the tensors one forward pass of ``phase`` saves for its backward
    (parameters left out, each storage once): the activation memory a phase needs at its
    peak, since each forward's graph is freed by its backward before the next forward."""
    params = {p.untyped_storage().data_ptr() for p in algorithm.parameters()}
    per_forward = []

    def loss_fn(batch):
        seen = set()

        def pack(tensor):
            ptr = tensor.untyped_storage().data_ptr()
            if ptr not in params and ptr not in seen:
                seen.add(ptr)
                per_forward[-1] += tensor.untyped_storage().nbytes()
            return tensor

        per_forward.append(0)
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
            return algorithm._run_forward(batch, mode='loss')

    algorithm.train_step({phase: data}, optim, loss_fn=loss_fn)
    return max(per_forward)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(args.config)
    heads = cfg.model.model.heads.to_dict()
    data = random_batch(heads, args.batch, args.size, args.seed)
    runs, steps, memory = {}, {}, {}
    for mode in MODES:
        algorithm, optim = build(cfg, mode, args.seed)
        algorithm.get_layer_costs()  # the cost table is measured once, outside the timing
        counts = count_steps(optim)
        algorithm.train_step(dict(arch=data, weights=data), optim)  # warm-up iteration
        steps[mode] = dict(counts)  # optimiser steps of that one iteration
        memory[mode] = {phase: saved_activation_bytes(algorithm, optim, data, phase) / 2**20
                        for phase in ('arch', 'weights')}
        runs[mode] = dict(algorithm=algorithm, optim=optim, arch=[], weights=[])
    for _ in range(args.repeats):
        for mode, run in runs.items():
            algorithm, optim = run['algorithm'], run['optim']
            run['arch'].append(timed(lambda: algorithm.train_step(dict(arch=data), optim)))
            run['weights'].append(timed(lambda: algorithm.train_step(dict(weights=data), optim)))
    results = {}
    for mode, run in runs.items():
        arch, weights = statistics.median(run['arch']), statistics.median(run['weights'])
        results[mode] = dict(
            arch_phase_s=round(arch, 4), weight_phase_s=round(weights, 4),
            iteration_s=round(arch + weights, 4),
            arch_runs_s=[round(t, 4) for t in run['arch']],
            weight_runs_s=[round(t, 4) for t in run['weights']],
            optimiser_steps_per_iteration=steps[mode],
            peak_saved_activations_mib={k: round(v, 1) for k, v in memory[mode].items()})
    algorithm = runs['per_task']['algorithm']
    report = dict(
        config=args.config, tasks=list(algorithm.tasks), num_layers=len(
            algorithm.supernet.layer_names), input_size=[args.size, args.size],
        batch=args.batch, repeats=args.repeats, threads=torch.get_num_threads(),
        device='cpu', machine=platform.platform(), torch=torch.__version__,
        per_task_over_summed=round(results['per_task']['iteration_s']
                                   / results['summed']['iteration_s'], 3),
        modes=results)
    write_text_atomically(args.out, json.dumps(report, indent=2))
    print(json.dumps({m: {k: v for k, v in r.items() if not k.endswith('runs_s')}
                      for m, r in results.items()}, indent=1))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
