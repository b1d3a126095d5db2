"""Run a BMTAS search config for several resource weights and report the derived MAdds.

Each lambda runs the whole search (warm-up, alternating phases, export) with the MMEngine
runner in its own work dir; the branch file it exports gives the derived and expected encoder
MAdds. The all-shared and all-separate costs of the same encoder are reported for reference.
Writes one JSON file (atomically). On the toy config (2 tasks, MobileNetV2 x0.25, 48x48) a run
takes about a minute on 2 CPU cores.

Example:
    python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
    python tools/benchmarks/bmtas_lambda_sweep.py configs/bmtas/toy_mnv2_search.py \
        --lambdas 0 0.3 3 --out work_dirs/bench/bmtas_lambda_sweep.json
"""
import argparse
import json
import os
import os.path as osp
import platform
import sys
import tempfile
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmmtnas.structures import load_branch_file  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a BMTAS search config (BMTASSearch + SearchLoop with bmtas_phases)')
    parser.add_argument('--lambdas', type=float, nargs='+', default=[0., 0.3, 3.])
    parser.add_argument('--work-dir', default='work_dirs/bench/bmtas_lambda_sweep')
    parser.add_argument('--out', default='work_dirs/bench/bmtas_lambda_sweep.json')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (1 is fastest on a busy 2-core machine)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args()


def run_one(cfg_path: str, lam: float, work_dir: str, options) -> dict:
    cfg = Config.fromfile(cfg_path)
    if options:
        cfg.merge_from_dict(options)
    cfg.model.resource_weight = lam
    cfg.work_dir = work_dir
    cfg.log_level = 'WARNING'
    hooks = [h for h in cfg.get('custom_hooks', [])
             if 'ArchitectureExportHook' not in str(h.get('type'))]
    hooks.append(dict(type='mmmtnas.ArchitectureExportHook', filename='branches.yaml'))
    cfg.custom_hooks = hooks
    start = time.perf_counter()
    runner = Runner.from_cfg(cfg)
    runner.train()
    seconds = time.perf_counter() - start
    branches = load_branch_file(osp.join(work_dir, 'branches.yaml'))
    madds = branches.madds
    layer_costs = sum(madds['layer_costs'].values())
    num_tasks = len(branches.tasks)
    return dict(
        resource_weight=lam,
        derived_madds=madds['derived'],
        expected_madds=madds['expected'],
        all_shared_madds=madds['stem'] + layer_costs,
        all_separate_madds=madds['stem'] + num_tasks * layer_costs,
        blocks_per_layer={k: len(v) for k, v in branches.groups().items()},
        iterations=runner.iter,
        seconds=round(seconds, 1),
        branch_file=osp.join(work_dir, 'branches.yaml'))


def main():
    args = parse_args()
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)
    results = []
    for lam in args.lambdas:
        work_dir = osp.join(args.work_dir, f'lambda_{lam:g}')
        results.append(run_one(args.config, lam, work_dir, args.cfg_options))
        print(json.dumps(results[-1]), flush=True)
    derived = [r['derived_madds'] for r in results]
    report = dict(
        config=args.config, input_size=None, machine=platform.platform(),
        monotone_non_increasing=all(a >= b for a, b in zip(derived, derived[1:])),
        runs=results)
    if results:
        report['input_size'] = load_branch_file(results[0]['branch_file']).madds['input_size']
    folder = osp.dirname(osp.abspath(args.out))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix='.tmp_', suffix='.json')
    with os.fdopen(fd, 'w') as f:
        json.dump(report, f, indent=2)
    os.replace(tmp, args.out)
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
