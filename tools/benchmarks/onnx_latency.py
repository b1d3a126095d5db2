"""ONNX Runtime against eager PyTorch: CPU latency at batch 1 of the toy derived MTNAS network.

The network is the test stage's of ``configs/mtnas/ssd_fcn_toy.py`` (DARTS backbone, DARTS SSD
neck + mmdet SSDHead, DARTS segmentation head), built from a genotype file (``--genotype``, e.g.
``work_dirs/ssd_fcn_toy/s2b/genotype.yaml``; default: the fixed 2-node toy cells below, which
use every op kind) with random weights: latency does not depend on the weights. Both runtimes
compute the same thing, the raw head outputs (``mmmtnas.deployment.ExportWrapper``; decoding is
the same Python code after either), on the same intra-op thread count (``--threads``). Eager and
ONNX Runtime are timed alternately, ``--rounds`` times ``--repeats`` calls each, so that load on
a shared machine hits both; each figure is the median over the rounds of each round's median,
as wall time (``*_ms``) and as CPU time of the process (``*_cpu_ms``, less moved by other
processes on a shared machine).

    python tools/benchmarks/onnx_latency.py [--sizes 128x256 320x512] [--threads 1]
        [--out tools/benchmarks/results/onnx_latency.json]
"""
import argparse
import json
import os
import os.path as osp
import platform
import shutil
import statistics
import sys
import tempfile
import time

import torch

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
TOY_CONFIG = osp.join(REPO, 'configs', 'mtnas', 'ssd_fcn_toy.py')
NORMAL = [('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 2), ('avg_pool_3x3', 0)]
REDUCE = [('max_pool_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 2), ('skip_connect', 0)]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='ONNX Runtime vs eager latency, batch 1')
    parser.add_argument('--genotype', help='genotype file of the derived network (default: '
                        'fixed toy cells)')
    parser.add_argument('--sizes', nargs='+', default=['128x256', '320x512'],
                        help='input sizes HxW (default: the toy input and the paper\'s)')
    parser.add_argument('--threads', type=int, default=1, help='intra-op threads (default 1)')
    parser.add_argument('--rounds', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=20)
    parser.add_argument('--out', default=osp.join(REPO, 'tools', 'benchmarks', 'results',
                                                  'onnx_latency.json'))
    return parser.parse_args(argv)


def _size(text: str):
    try:
        h, w = (int(v) for v in text.lower().split('x'))
    except ValueError:
        raise ValueError(f'--sizes: expected HxW, e.g. 128x256, got {text!r}') from None
    if h <= 0 or w <= 0:
        raise ValueError(f'--sizes: expected positive sizes, got {text!r}')
    return h, w


def build_toy_net(genotype_file: str, work_dir: str) -> torch.nn.Module:
    """The test-stage network of ssd_fcn_toy.py, as the pipeline builds it from the genotype
    file of its S2b stage (``genotype_file`` copied into ``work_dir/s2b/``)."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmmtnas.engine.runner import StagedPipeline
    from mmmtnas.registry import MODELS
    os.makedirs(osp.join(work_dir, 's2b'), exist_ok=True)
    shutil.copy(genotype_file, osp.join(work_dir, 's2b', 'genotype.yaml'))
    cfg = Config.fromfile(TOY_CONFIG)
    cfg.work_dir = work_dir
    init_default_scope('mmmtnas')
    return MODELS.build(StagedPipeline(cfg).stage_config('test').model).eval()


def main(argv=None) -> dict:
    args = parse_args(argv)
    sys.path.insert(0, REPO)
    from mmmtnas.deployment import ORTModel, export_onnx
    from mmmtnas.engine.runner.model_profile import median_latency_ms
    from mmmtnas.registry import register_all_modules
    from mmmtnas.structures.file_io import write_text_atomically
    from mmmtnas.structures.genotype import Genotype, dump_genotype_file
    import onnxruntime

    sizes = [_size(s) for s in args.sizes]
    torch.set_num_threads(args.threads)
    register_all_modules(init_default_scope=False)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        genotype = args.genotype
        if genotype is None:
            toy = Genotype.from_darts(normal=NORMAL, normal_concat=[2, 3], reduce=REDUCE,
                                      reduce_concat=[2, 3])
            genotype = dump_genotype_file(osp.join(tmp, 'genotype.yaml'),
                                          dict(backbone=toy, det_neck=toy, seg_head=toy))
        model = build_toy_net(genotype, osp.join(tmp, 'work'))
        params = sum(p.numel() for p in model.parameters())
        path = osp.join(tmp, 'toy.onnx')
        export_onnx(model, path, sizes[0])  # one graph, every size (dynamic axes)
        session = ORTModel(path, num_threads=args.threads)
        results = []
        for h, w in sizes:
            x = torch.rand(1, 3, h, w)
            runs = dict(eager=lambda: model._forward(x), onnxruntime=lambda: session(x))
            rounds = {f'{name}_{clock}': [] for name in runs for clock in ('ms', 'cpu_ms')}
            with torch.no_grad():
                for _ in range(args.rounds):
                    for name, run in runs.items():
                        rounds[f'{name}_ms'].append(median_latency_ms(run, args.repeats))
                        rounds[f'{name}_cpu_ms'].append(median_latency_ms(
                            run, args.repeats, clock=time.process_time))
            row = dict(input_size=[h, w],
                       **{key: statistics.median(values) for key, values in rounds.items()})
            row['speedup'] = row['eager_ms'] / row['onnxruntime_ms']
            row['speedup_cpu'] = row['eager_cpu_ms'] / row['onnxruntime_cpu_ms']
            row['rounds'] = rounds
            results.append(row)
            print(f'{h}x{w}: eager {row["eager_ms"]:.2f} ms (CPU {row["eager_cpu_ms"]:.2f}), '
                  f'ONNX Runtime {row["onnxruntime_ms"]:.2f} ms (CPU '
                  f'{row["onnxruntime_cpu_ms"]:.2f}); {row["speedup"]:.1f}x wall, '
                  f'{row["speedup_cpu"]:.1f}x CPU; batch 1, {args.threads} thread(s)')
    report = dict(
        network='ssd_fcn_toy.py test stage (derived MTNAS: DARTS backbone + SSD + seg head), '
        'raw head outputs, random weights',
        genotype=args.genotype or 'built-in toy cells (2 nodes)', params=params,
        batch_size=1, threads=args.threads, rounds=args.rounds, repeats=args.repeats,
        torch=torch.__version__, onnxruntime=onnxruntime.__version__,
        cpu=platform.processor() or platform.machine(), cpu_count=os.cpu_count(),
        load_average=list(os.getloadavg()),
        results=results)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        write_text_atomically(args.out, json.dumps(report, indent=2))
    return report


if __name__ == '__main__':
    main()
