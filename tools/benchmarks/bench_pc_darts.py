"""Time one DARTS supernet search step and measure its peak memory, for PC-DARTS K=1 and K=4.

Each K runs in its own child process on the same shapes (same seed, same supernet layout:
:class:`mmmtnas.SearchableDartsBackbone` + global pool + linear classifier). One *search step*
is a first-order DARTS step: an architecture step (forward + backward on a validation batch,
Adam on the alphas/betas only) followed by a weight step (forward + backward on a training
batch, SGD on the weights only). K=1 is plain DARTS (no edge normalisation); K>1 is PC-DARTS
(1/K of the channels through the mixed ops, channel shuffle, edge normalisation).

Before / after: each K is run with two implementations of the search cell, alternately in
fresh child processes (``--repeats`` times each, so that load on a shared machine hits both):
``reference`` is the search-cell forward as it was before the fast path (kept below as
:func:`reference_cell_forward`: every mixed edge computes every op, ``none`` included, on its
own input slice, then concatenates and shuffles), ``fast`` is the package's
:class:`mmmtnas.models.nas.SearchCell`. Both start from the same seed and inputs; ``speedup`` reports the
median over repeats of the step-time ratio of the two back-to-back runs of a repeat, and the
loss difference of every optimiser step. The first loss is computed
at identical parameters; later ones also carry float32 rounding through the updates, and
Adam's first architecture steps are close to ``lr * sign(grad)``, so rounding in a near-zero
alpha gradient moves that alpha by up to ``2 * lr``: with K=1 the losses of later steps
differ by ~1e-3, as much as the reference differs from itself run with other convolution
kernels (``--loss-noise`` runs it once per K with oneDNN disabled and reports that too).

Peak memory:
  * CPU: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the child process (peak resident
    set). The child records it once after imports and input creation (``baseline_rss_mib``)
    and again after the steps (``peak_rss_mib``); ``step_peak_rss_mib`` is the difference,
    i.e. what building the model and running the steps added on top of the interpreter.
  * CUDA (``--device cuda``): ``torch.cuda.max_memory_allocated`` over the steps as well.

Example:
    python tools/benchmarks/bench_pc_darts.py --ks 1 4 --cells 8 --batch 16 \
        --out tools/benchmarks/results/bench_pc_darts.json
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
import types

import torch
import torch.nn.functional as F

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


IMPLS = ('reference', 'fast')


def _reference_shuffle(x, groups):
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).reshape(n, c, h, w)


def _reference_edge_forward(edge, x, weights):
    if edge.partial_k == 1:
        return sum(w * op(x) for w, op in zip(weights, edge.ops))
    split = x.shape[1] // edge.partial_k
    active, bypass = x[:, :split], x[:, split:]
    mixed = sum(w * op(active) for w, op in zip(weights, edge.ops))
    if edge.stride != 1:
        bypass = F.max_pool2d(bypass, 2, 2, ceil_mode=True)
    return _reference_shuffle(torch.cat([mixed, bypass], dim=1), edge.partial_k)


def reference_cell_forward(cell, s0, s1, weights, edge_weights=None):
    """``SearchCell.forward`` before the fast path (NCHW, each edge on its own, ``none`` run)."""
    states = [cell.preprocess0(s0), cell.preprocess1(s1)]
    offset = 0
    for _ in range(cell.num_nodes):
        node = 0
        for j, h in enumerate(states):
            out = _reference_edge_forward(cell.edges[offset + j], h, weights[offset + j])
            node = node + (out if edge_weights is None else edge_weights[offset + j] * out)
        offset += len(states)
        states.append(node)
    return torch.cat(states[-cell.multiplier:], dim=1)


def use_reference_cells(model):
    """Make every :class:`SearchCell` in ``model`` run :func:`reference_cell_forward`."""
    from mmmtnas.models.nas import SearchCell
    cells = [m for m in model.modules() if isinstance(m, SearchCell)]
    for cell in cells:
        cell.forward = types.MethodType(reference_cell_forward, cell)
    return len(cells)


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
    parser.add_argument('--impls', nargs='+', default=list(IMPLS), choices=IMPLS,
                        help='search-cell implementations to time (reference = before the '
                        'fast path)')
    parser.add_argument('--repeats', type=int, default=2,
                        help='child processes per K and implementation, run alternately')
    parser.add_argument('--out', default='work_dirs/bench/pc_darts.json')
    parser.add_argument('--child-k', type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument('--loss-noise', action='store_true',
                        help='also run the reference once per K without oneDNN convolutions, '
                        'to show how far float32 rounding alone moves its losses')
    parser.add_argument('--child-impl', default='fast', choices=IMPLS, help=argparse.SUPPRESS)
    parser.add_argument('--child-no-mkldnn', action='store_true', help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _rss_mib() -> float:
    # Linux reports ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.


def run_child(args) -> dict:
    """Build the supernet for K=args.child_k and time search steps (runs in the child)."""
    import torch.nn as nn

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
    if args.child_impl == 'reference':
        use_reference_cells(model)
    if args.child_no_mkldnn:
        torch.backends.mkldnn.enabled = False
    arch = list(backbone.arch_params.parameters())
    arch_ids = {id(p) for p in arch}
    weights = [p for p in model.parameters() if id(p) not in arch_ids]
    w_opt = torch.optim.SGD(weights, lr=0.025, momentum=0.9, weight_decay=3e-4)
    a_opt = torch.optim.Adam(arch, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)

    def loss_of(split):
        x, y = batches[split]
        logits = model['classifier'](model['backbone'](x)[-1].mean((2, 3)))
        return F.cross_entropy(logits, y)

    losses = []

    def step():
        for opt, split in ((a_opt, 'val'), (w_opt, 'train')):
            a_opt.zero_grad(set_to_none=True)
            w_opt.zero_grad(set_to_none=True)
            loss = loss_of(split)
            loss.backward()
            opt.step()  # each optimiser steps on its own loss's gradient only
            losses.append(loss.item())

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
        impl=args.child_impl + ('_no_mkldnn' if args.child_no_mkldnn else ''),
        losses=losses,
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


def _summarise(runs) -> dict:
    """Median step time over every timed step of ``runs``; worst peak memory."""
    out = dict(step_s=statistics.median(t for r in runs for t in r['step_s']['all']),
               step_peak_rss_mib=max(r['step_peak_rss_mib'] for r in runs),
               max_loss_diff_across_repeats=_loss_diff(runs[0], runs[-1]))
    if 'cuda_max_allocated_mib' in runs[0]:
        out['cuda_max_allocated_mib'] = max(r['cuda_max_allocated_mib'] for r in runs)
    return out


def _loss_diff(a: dict, b: dict) -> float:
    return max(abs(x - y) for x, y in zip(a['losses'], b['losses']))


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
        for rep in range(args.repeats):
            # alternate the order so that a load change on the machine hits both alike;
            # a fresh process per run: ru_maxrss is a per-process high-water mark
            for impl in (args.impls if rep % 2 == 0 else args.impls[::-1]):
                out = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), '--child-k', str(k),
                     '--child-impl', impl] + shared,
                    check=True, capture_output=True, text=True)
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                print(f"K={k} {impl}: step {runs[-1]['step_s']['median']:.3f} s, "
                      f"peak RSS +{runs[-1]['step_peak_rss_mib']:.1f} MiB", flush=True)
    noise_runs = []
    if args.loss_noise:
        for k in args.ks:
            out = subprocess.run(
                [sys.executable, os.path.abspath(__file__), '--child-k', str(k), '--child-impl',
                 'reference', '--child-no-mkldnn'] + shared,
                check=True, capture_output=True, text=True)
            noise_runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    summary = {impl: {k: _summarise([r for r in runs if r['impl'] == impl
                                     and r['partial_k'] == k]) for k in args.ks}
               for impl in args.impls}
    ratios = {}
    for impl, per_k in summary.items():
        base_k = args.ks[0]
        for k in args.ks[1:]:
            ratios[f'{impl}.K{k}_over_K{base_k}'] = {
                key: per_k[k][key] / per_k[base_k][key] for key in per_k[k]
                if key.endswith(('_s', '_mib'))}
    speedup = {}
    if set(IMPLS) <= set(args.impls):
        for k in args.ks:
            ref, fast = summary['reference'][k], summary['fast'][k]
            pairs = [(a, b) for a in runs for b in runs
                     if a['partial_k'] == b['partial_k'] == k and a['impl'] < b['impl']]
            per_loss = [max(abs(a['losses'][i] - b['losses'][i]) for a, b in pairs)
                        for i in range(len(pairs[0][0]['losses']))]
            # a reference run and a fast run of the same repeat ran back to back, under the
            # same load: their ratio is the fair one; the load on a shared machine moves the
            # medians pooled over all repeats
            per_repeat = [a['step_s']['median'] / b['step_s']['median'] for a, b in zip(
                [r for r in runs if r['partial_k'] == k and r['impl'] == 'reference'],
                [r for r in runs if r['partial_k'] == k and r['impl'] == 'fast'])]
            speedup[f'K{k}'] = dict(
                reference_step_s=ref['step_s'], fast_step_s=fast['step_s'],
                speedup=statistics.median(per_repeat), speedup_per_repeat=per_repeat,
                speedup_of_pooled_medians=ref['step_s'] / fast['step_s'],
                # the first loss is at identical parameters; later ones follow float32
                # rounding through Adam's first, sign-like architecture steps
                first_loss_diff=per_loss[0], max_abs_loss_diff=max(per_loss),
                abs_loss_diff_per_loss=per_loss)
            noise = [r for r in noise_runs if r['partial_k'] == k]
            if noise:
                ref_run = next(r for r in runs if r['partial_k'] == k and r['impl'] == 'reference')
                speedup[f'K{k}']['reference_without_mkldnn_abs_loss_diff_per_loss'] = [
                    abs(a - b) for a, b in zip(ref_run['losses'], noise[0]['losses'])]
            print(f"K={k}: reference {ref['step_s']:.3f} s/step, fast {fast['step_s']:.3f} "
                  f"s/step, speedup x{speedup[f'K{k}']['speedup']:.2f}, |loss diff| per loss "
                  f"{' '.join(f'{d:.1e}' for d in per_loss)}", flush=True)
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
        command='python ' + ' '.join([os.path.relpath(__file__, REPO)] +
                                     (sys.argv[1:] if argv is None else list(argv))),
        speedup=speedup,
        summary={impl: {f'K{k}': v for k, v in per_k.items()} for impl, per_k in summary.items()},
        ratios=ratios,
        runs=runs,
        loss_noise_runs=noise_runs)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(dict(speedup=speedup, ratios=ratios), indent=2))
    print(f'written {args.out}')


if __name__ == '__main__':
    main()
