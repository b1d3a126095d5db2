"""Time one DARTS supernet search step and measure its peak memory, for PC-DARTS K=1 and K=4.

Each K runs in its own child process on the same shapes (same seed, same supernet layout:
:class:`mmmtnas.SearchableDartsBackbone` + global pool + linear classifier). One *search step*
is a first-order DARTS step: an architecture step (forward + backward on a validation batch,
Adam on the alphas/betas only) followed by a weight step (forward + backward on a training
batch, SGD on the weights only). K=1 is plain DARTS (no edge normalisation); K>1 is PC-DARTS
(1/K of the channels through the mixed ops, channel shuffle, edge normalisation).

Peak memory:
  * CPU: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the child process (peak resident
    set). The child records it once after imports and input creation (``baseline_rss_mib``)
    and again after the steps (``peak_rss_mib``); ``step_peak_rss_mib`` is the difference,
    i.e. what building the model and running the steps added on top of the interpreter.
  * CUDA (``--device cuda``): ``torch.cuda.max_memory_allocated`` over the steps as well.

Example:
    python tools/benchmarks/bench_pc_darts.py --ks 1 4 --out work_dirs/bench/pc_darts.json
"""
import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--ks', type=int, nargs='+', default=[1, 4], help='PC-DARTS K values')
    parser.add_argument('--channels', type=int, default=16, help='DARTS C of the first cells')
    parser.add_argument('--cells', type=int, default=5)
    parser.add_argument('--batch', type=int, default=32)
    parser.add_argument('--size', type=int, default=32, help='square input size')
    parser.add_argument('--steps', type=int, default=3, help='timed steps')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--threads', type=int, default=1,
                        help='torch CPU threads (1: OpenMP spin-waiting on a busy shared '
                        'machine otherwise dominates the many tiny convolutions)')
    parser.add_argument('--out', default='work_dirs/bench/pc_darts.json')
    parser.add_argument('--child-k', type=int, default=None, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _rss_mib() -> float:
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


def run_child(args) -> dict:
    """Build the supernet for K=args.child_k and time search steps (runs in the child)."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    sys.path.insert(0, REPO)
    from mmmtnas.models.nas import SearchableDartsBackbone

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    gen = torch.Generator().manual_seed(args.seed)
    batches = {
        split: (torch.randn(args.batch, 3, args.size, args.size, generator=gen).to(device),
                torch.randint(0, 10, (args.batch, ), generator=gen).to(device))
        for split in ('train', 'val')
    }
    baseline = _rss_mib()

    backbone = SearchableDartsBackbone(channels=args.channels, num_cells=args.cells,
                                       partial_k=args.child_k)
    classifier = nn.Linear(backbone.out_channels[-1], 10)
    model = nn.ModuleDict(dict(backbone=backbone, classifier=classifier)).to(device)
    arch = list(backbone.arch_params.parameters())
    arch_ids = {id(p) for p in arch}
    weights = [p for p in model.parameters() if id(p) not in arch_ids]
    w_opt = torch.optim.SGD(weights, lr=0.025, momentum=0.9, weight_decay=3e-4)
    a_opt = torch.optim.Adam(arch, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def loss_of(split):
        x, y = batches[split]
        logits = model['classifier'](model['backbone'](x)[-1].mean((2, 3)))
        return F.cross_entropy(logits, y)

    def step():
        for opt, split in ((a_opt, 'val'), (w_opt, 'train')):
            a_opt.zero_grad(set_to_none=True)
            w_opt.zero_grad(set_to_none=True)
            loss_of(split).backward()
            opt.step()  # each optimiser steps on its own loss's gradient only

    def sync():
        if device.type == 'cuda':
            torch.cuda.synchronize(device)

    for _ in range(args.warmup):
        step()
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
    times = []
    for _ in range(args.steps):
        sync()
        start = time.perf_counter()
        step()
        sync()
        times.append(time.perf_counter() - start)
    peak = _rss_mib()
    result = dict(
        partial_k=args.child_k,
        edge_norm=backbone.edge_norm,
        num_weight_params=sum(p.numel() for p in weights),
        num_arch_params=sum(p.numel() for p in arch),
        step_s=dict(median=statistics.median(times), min=min(times), max=max(times),
                    all=times),
        baseline_rss_mib=baseline,
        peak_rss_mib=peak,
        step_peak_rss_mib=peak - baseline,
    )
    if device.type == 'cuda':
        result['cuda_max_allocated_mib'] = torch.cuda.max_memory_allocated(device) / 2**20
    return result


def main(argv=None):
    args = parse_args(argv)
    if args.child_k is not None:
        print(json.dumps(run_child(args)))
        return
    shared = [
        '--channels', str(args.channels), '--cells', str(args.cells), '--batch',
        str(args.batch), '--size', str(args.size), '--steps', str(args.steps), '--warmup',
        str(args.warmup), '--seed', str(args.seed), '--device', args.device, '--threads',
        str(args.threads)
    ]
    runs = []
    for k in args.ks:
        # a fresh process per K: ru_maxrss is a per-process high-water mark
        out = subprocess.run([sys.executable, os.path.abspath(__file__), '--child-k', str(k)] +
                             shared, check=True, capture_output=True, text=True)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"K={k}: step {runs[-1]['step_s']['median']:.3f} s, "
              f"peak RSS +{runs[-1]['step_peak_rss_mib']:.1f} MiB", flush=True)
    base = runs[0]
    ratios = {}
    for run in runs[1:]:
        key = f"K{run['partial_k']}_over_K{base['partial_k']}"
        ratios[key] = dict(
            step_time=run['step_s']['median'] / base['step_s']['median'],
            step_peak_rss=run['step_peak_rss_mib'] / base['step_peak_rss_mib'])
        if 'cuda_max_allocated_mib' in run:
            ratios[key]['cuda_max_allocated'] = (run['cuda_max_allocated_mib'] /
                                                 base['cuda_max_allocated_mib'])
    import torch
    result = dict(
        benchmark='pc_darts_search_step',
        memory_measure=('child ru_maxrss (peak RSS) minus the RSS after imports/inputs' +
                        ('; torch.cuda.max_memory_allocated' if args.device != 'cpu' else '')),
        config=dict(channels=args.channels, cells=args.cells, batch=args.batch,
                    size=args.size, steps=args.steps, warmup=args.warmup, seed=args.seed,
                    device=args.device, threads=args.threads),
        env=dict(python=platform.python_version(), torch=torch.__version__,
                 machine=platform.machine(), cpus=os.cpu_count(),
                 loadavg=os.getloadavg()),
        runs=runs,
        ratios=ratios)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(ratios, indent=2))
    print(f'written {args.out}')


if __name__ == '__main__':
    main()
