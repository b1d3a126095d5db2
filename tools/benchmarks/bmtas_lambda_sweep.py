"""Run a BMTAS search config for several resource weights and report the derived MAdds.

Each lambda runs the whole search (warm-up, alternating phases, export) with the MMEngine
runner in its own work dir, with the config's update order and resource term (lambda per task,
in the config's cost metric and unit: for the shipped configs, as in the paper); the branch
file it exports gives the derived and expected encoder MAdds. The all-shared and all-separate
costs of the same encoder are reported for reference, and whether the derived networks get
strictly cheaper as lambda grows. Writes one JSON file (atomically). On the toy config
(2 tasks, MobileNetV2 x0.25, 48x48 crops) a run takes one to two minutes on 2 CPU cores.

Example (the paper's lambda values):
    python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
    python tools/benchmarks/bmtas_lambda_sweep.py configs/bmtas/toy_mnv2_search.py \
        --lambdas 0 0.02 0.05 0.1 --threads 1
"""
import argparse
import json
import os.path as osp
import platform
import sys
import time

sys.path.insert(0, osp.abspath(osp.join(osp.dirname(__file__), '..', '..')))

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmmtnas.structures import load_branch_file  # noqa: E402
from mmmtnas.structures.file_io import write_text_atomically  # noqa: E402
from mmmtnas.utils.cli import load_config  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'config', help='a BMTAS search config (BMTASSearch + SearchLoop with bmtas_phases)')
    parser.add_argument('--lambdas', type=float, nargs='+', default=[0., 0.02, 0.05, 0.1])
    parser.add_argument('--update', choices=['per_task', 'summed'], default=None,
                        help="update order (default: the config's)")
    parser.add_argument('--work-dir', default='work_dirs/bench/bmtas_lambda_sweep')
    parser.add_argument('--out', default='tools/benchmarks/results/bmtas_lambda_sweep.json')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (1 is fastest on a busy 2-core machine)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings, key=value')
    return parser.parse_args()


def run_one(cfg_path: str, lam: float, work_dir: str, options, update=None) -> dict:
    cfg = load_config(cfg_path, options)  # as tools/train.py: no yapf pass in the timing
    cfg.model.resource_weight = lam
    if update:
        cfg.model['update'] = update
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
        update=branches.meta.get('update'),
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
        results.append(run_one(args.config, lam, work_dir, args.cfg_options, args.update))
        print(json.dumps(results[-1]), flush=True)
    results.sort(key=lambda r: r['resource_weight'])
    derived = [r['derived_madds'] for r in results]
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = cfg.model
    report = dict(
        config=args.config, cfg_options=args.cfg_options, input_size=None,
        resource_term=dict(
            counted='once per task', metric=model.get('cost_metric', 'madds'),
            cost_input_size=list(model.get('cost_input_size', [])),
            unit=model.get('cost_unit'), resource_loss=model.get('resource_loss')),
        machine=platform.platform(), threads=args.threads,
        strictly_cheaper_for_larger_lambda=all(a > b for a, b in zip(derived, derived[1:])),
        monotone_non_increasing=all(a >= b for a, b in zip(derived, derived[1:])),
        runs=results)
    if results:
        report['input_size'] = load_branch_file(results[0]['branch_file']).madds['input_size']
    write_text_atomically(args.out, json.dumps(report, indent=2))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
