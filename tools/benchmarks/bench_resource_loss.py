"""Time the BMTAS resource loss (forward + backward w.r.t. alpha) and its precomputation.

For every number of tasks T and mode, times ``ResourceLoss(mode)(softmax(alpha), costs)`` plus
``backward()`` for an ``[L, T, T]`` alpha (median over repeats), the one-off precomputation of
the partition tables (enumeration, refinement pairs, Möbius function) and of the meet table,
and, for reference, the meet propagation over all Bell(T) groupings of SPEC §3 that the
``exact`` mode replaces by its closed form. Writes one JSON file.

Example:
    python tools/benchmarks/bench_resource_loss.py --tasks 5 7 --layers 18 \
        --out tools/benchmarks/results/bench_resource_loss.json
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..')))

from mmmtnas.models.branched import resource_loss as rl  # noqa: E402
from mmmtnas.models.branched import set_partitions as sp  # noqa: E402
from mmmtnas.structures.file_io import write_text_atomically  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--tasks', type=int, nargs='+', default=[5, 7])
    parser.add_argument('--layers', type=int, default=18)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--dtype', default='float32', choices=['float32', 'float64'])
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (1 avoids OpenMP spin on a busy machine, '
                        'where the thread pool, not the loss, dominates these tiny ops)')
    parser.add_argument('--out', default='tools/benchmarks/results/bench_resource_loss.json')
    return parser.parse_args()


def sync(device):
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def timed(fn, device, repeats, warmup):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append((time.perf_counter() - start) * 1e3)
    return dict(median_ms=statistics.median(times), min_ms=min(times), max_ms=max(times))


def bench_tasks(num_tasks, args, device, dtype):
    result = dict(num_tasks=num_tasks, num_layers=args.layers,
                  num_groupings=sp.bell_number(num_tasks), num_routings=num_tasks**num_tasks)
    sp.partition_tables.cache_clear()
    sp._meet_table.cache_clear()
    start = time.perf_counter()
    tables = sp.partition_tables(num_tasks)
    result['precompute_tables_ms'] = (time.perf_counter() - start) * 1e3
    result['refine_pairs'] = tables.refine_pairs.shape[1]
    start = time.perf_counter()
    tables.meet_table()
    result['precompute_meet_table_ms'] = (time.perf_counter() - start) * 1e3

    gen = torch.Generator().manual_seed(args.seed)
    alpha = torch.randn(args.layers, num_tasks, num_tasks, generator=gen, dtype=dtype)
    alpha = alpha.to(device).requires_grad_(True)
    costs = (1e6 * torch.rand(args.layers, generator=gen, dtype=dtype)).to(device)
    for mode in rl.MODES:
        loss_fn = rl.ResourceLoss(mode)

        def step():
            alpha.grad = None
            loss_fn(alpha.softmax(-1), costs).backward()

        def forward_only():
            with torch.no_grad():
                loss_fn(alpha.softmax(-1), costs)

        with torch.no_grad():
            value = float(loss_fn(alpha.softmax(-1), costs))
        result[mode] = dict(
            value=value,
            forward_backward=timed(step, device, args.repeats, args.warmup),
            forward=timed(forward_only, device, args.repeats, args.warmup))

    def meet_propagation():
        alpha.grad = None
        dist = rl.grouping_distribution(alpha.softmax(-1), 'exact')
        (dist @ tables.num_groups.to(dist) * costs.double()).sum().backward()

    with torch.no_grad():
        dist = rl.grouping_distribution(alpha.softmax(-1), 'exact')
        value = float((dist @ tables.num_groups.to(dist) * costs.double()).sum())
    result['exact_by_meet_propagation'] = dict(
        value=value, forward_backward=timed(meet_propagation, device,
                                            max(1, args.repeats // 4), 1))
    return result


def main():
    args = parse_args()
    device = torch.device(args.device)
    dtype = getattr(torch, args.dtype)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    results = dict(
        device=str(device) if device.type != 'cuda' else torch.cuda.get_device_name(device),
        torch=torch.__version__, python=platform.python_version(),
        num_threads=torch.get_num_threads(), dtype=args.dtype, repeats=args.repeats,
        runs=[bench_tasks(t, args, device, dtype) for t in args.tasks])
    write_text_atomically(args.out, json.dumps(results, indent=2))
    for run in results['runs']:
        print(f"T={run['num_tasks']} L={run['num_layers']} B={run['num_groupings']}: "
              f"tables {run['precompute_tables_ms']:.0f} ms, meet table "
              f"{run['precompute_meet_table_ms']:.0f} ms; " + '; '.join(
                  f"{m} fwd+bwd {run[m]['forward_backward']['median_ms']:.2f} ms "
                  f"(value {run[m]['value']:.6g})" for m in rl.MODES) +
              f"; meet propagation fwd+bwd "
              f"{run['exact_by_meet_propagation']['forward_backward']['median_ms']:.1f} ms "
              f"(value {run['exact_by_meet_propagation']['value']:.6g})")
    print(f'written {args.out}')


if __name__ == '__main__':
    main()
