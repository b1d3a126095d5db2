"""Train every comparison method's toy twin and its baselines; write one table.

    python tools/benchmarks/comparison_toy.py [--only NAME ...] [--iters 30] [--merge JSON ...]
        [--work-dir work_dirs/comparison_toy] [--out tools/benchmarks/results/comparison_toy]

Rows: every ``configs/comparison/**/*_toy.py`` (found by glob: FAFS, BMN, random branching,
Cross-Stitch, NDDR-CNN, MTAN, Pareto MTL, TripleNet, whatever exists) and the baselines of the
two settings: dense (the five toy PASCAL-Context tasks: Single, Shared) and driving (detection
+ segmentation: SSD and FCN single-task, the MTL baseline). Each runs to the end with
``tools/train.py`` in its own process, every training run and pipeline stage for ``--iters``
iterations (the same schedule for every row; a pipeline that pre-trains a network, FAFS and
BMN, trains twice that): a pipeline's test stage writes ``test/metrics.json``; a plain config's
last checkpoint is tested with ``tools/test.py`` and profiled here. MAdds are mmengine's
``FlopAnalyzer`` count (``macs_G``) at the toy input size (64x64 dense; the config's
``input_size`` for driving). Δm (BMTAS Eq. 7, ``mmmtnas/evaluation/metrics/delta_m.py``) is
taken against the setting's Single baseline over the tasks the row has. Writes ``<out>.json``
and ``<out>.md``, keeping rows an earlier call wrote; a failed row is recorded with its error.
Toy figures show that every method trains and tests on one engine, not how the methods rank.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DENSE_KEYS = ('semseg/mIoU', 'human_parts/mIoU', 'sal/maxIoU', 'normals/mean', 'edge/odsF')
DRIVING_KEYS = ('det/mAP', 'seg/mIoU')
LOWER_IS_BETTER = ('normals/mean', )
SETTINGS = dict(
    dense=dict(single=['configs/bmtas/toy_mnv2_pascal_single.py'],
               baselines=['configs/bmtas/toy_mnv2_pascal_shared.py'],
               keys=DENSE_KEYS),
    driving=dict(single=['configs/mtl_baseline/ssd_r18_toy.py',
                         'configs/mtl_baseline/fcn_r18_toy.py'],
                 baselines=['configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py'],
                 keys=DRIVING_KEYS))
DENSE_INPUT_SIZE = (64, 64)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--only', nargs='+', help='run only rows whose config path contains '
                        'one of these (others are kept from the last call)')
    parser.add_argument('--merge', nargs='+', default=[],
                        help='also take the rows of these earlier outputs (.json)')
    parser.add_argument('--iters', type=int, default=30,
                        help='training iterations of every training run and pipeline stage '
                        '(the same schedule for every row; 0: each config\'s own)')
    parser.add_argument('--work-dir', default='work_dirs/comparison_toy')
    parser.add_argument('--out', default=osp.join(REPO, 'tools', 'benchmarks', 'results',
                                                  'comparison_toy'),
                        help='output path without extension (.json and .md are written)')
    return parser.parse_args(argv)


def method_configs() -> List[str]:
    """Every comparison toy twin, relative to the repository."""
    found = glob.glob(osp.join(REPO, 'configs', 'comparison', '**', '*_toy.py'), recursive=True)
    return sorted(osp.relpath(p, REPO) for p in found if '_base_' not in p)


def _tool(name: str, *args: str) -> None:
    # one thread per process: the toy models are tiny and the cores are shared
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS='1')
    proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', name), *args], env=env,
                          capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        lines = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
        raise RuntimeError(f'tools/{name} failed: {lines[-1] if lines else proc.returncode}')


def _profile_plain(config: str, checkpoint: str, input_size) -> Dict[str, float]:
    """MAdds (MACs), parameters and CPU latency of a plain runner's trained model."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmmtnas.engine.runner.model_profile import profile_model
    from mmmtnas.registry import MODELS, register_all_modules
    register_all_modules(init_default_scope=False)
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(osp.join(REPO, config))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    # the config's own input size (the driving configs give one), else the dense toy's
    return profile_model(model, cfg.get('input_size') or input_size)


def run_config(config: str, work_dir: str, input_size, iters: int) -> dict:
    """Train (and test) one config to the end; its test metrics and profile."""
    from mmengine.config import Config
    shutil.rmtree(work_dir, ignore_errors=True)  # a fresh run: a pipeline skips finished stages
    start = time.time()
    # for a pipeline these apply to every stage (tools/train.py's --cfg-options)
    options = ['--cfg-options', f'train_cfg.max_iters={iters}',
               f'train_cfg.val_interval={iters}'] if iters else []
    _tool('train.py', config, '--work-dir', work_dir, *options)
    if isinstance(Config.fromfile(osp.join(REPO, config)).get('stages'), dict):
        with open(osp.join(work_dir, 'test', 'metrics.json')) as f:
            metrics = json.load(f)
    else:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
        out = osp.join(work_dir, 'test_metrics.json')
        _tool('test.py', config, checkpoint, '--work-dir', work_dir, '--out', out)
        with open(out) as f:
            metrics = json.load(f)
        metrics.update(_profile_plain(config, checkpoint, input_size))
    metrics = {k: v for k, v in metrics.items() if isinstance(v, (int, float))}
    return dict(metrics=metrics, wall_s=round(time.time() - start, 1))


def setting_of(config: str, metrics: dict) -> Optional[str]:
    """'dense' or 'driving', by the metrics the row reports."""
    if any(k in metrics for k in DENSE_KEYS):
        return 'dense'
    if any(k in metrics for k in DRIVING_KEYS):
        return 'driving'
    return None


def delta_m(metrics: dict, single: dict) -> Optional[float]:
    """Δm over the tasks the row and the Single baseline both have."""
    from mmmtnas.evaluation.metrics.delta_m import multi_task_delta
    keys = [k for k in single if k in metrics]
    if not keys:
        return None
    return multi_task_delta(metrics, {k: single[k] for k in keys},
                            [k for k in keys if k in LOWER_IS_BETTER])


def single_reference(results: Dict[str, dict], setting: str) -> dict:
    """The setting's single-task metrics, merged over its Single runs."""
    out = {}
    for config in SETTINGS[setting]['single']:
        metrics = results.get(config, {}).get('metrics', {})
        out.update({k: metrics[k] for k in SETTINGS[setting]['keys'] if k in metrics})
    return out


def _cell(value, digits=2) -> str:
    return '–' if value is None else f'{value:.{digits}f}'


def markdown(results: Dict[str, dict]) -> str:
    """One table per setting: task metrics, Δm, MAdds, parameters, iterations and wall time."""
    lines = []
    for setting, spec in SETTINGS.items():
        keys = spec['keys']
        rows = {c: r for c, r in results.items() if r.get('setting') == setting or (
            c in spec['single'] + spec['baselines'] and 'error' in r)}
        if not rows:
            continue
        lines += [f'### {setting}', '',
                  '| config | ' + ' | '.join(k + (' (%)' if k == 'det/mAP' else '')
                                             for k in keys) + ' | Δm (%) | GMAdds | params (M) | '
                  'wall (s) |', '|---' * (len(keys) + 5) + '|']
        role = {c: 'baseline' for c in spec['single'] + spec['baselines']}
        for config, r in sorted(rows.items(), key=lambda kv: (role.get(kv[0], 'method'),
                                                              kv[0])):
            if 'error' in r:
                lines.append(f'| `{config}` | ' + ' | '.join('–' for _ in keys) +
                             f' | – | – | – | error: {r["error"][:80]} |')
                continue
            # mmdet's VOCMetric gives mAP as a fraction; shown in percent as the other metrics
            m = dict(r['metrics'])
            if m.get('det/mAP') is not None:
                m['det/mAP'] = 100 * m['det/mAP']
            lines.append(f'| `{config}` | ' + ' | '.join(_cell(m.get(k)) for k in keys) +
                         f' | {_cell(r.get("delta_m"))} | {_cell(m.get("macs_G"), 4)} | '
                         f'{_cell(m.get("params_M"), 3)} | {_cell(r.get("wall_s"), 0)} |')
        lines.append('')
    return '\n'.join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, REPO)
    os.chdir(REPO)  # the configs' data roots and baseline files are relative to it
    from mmmtnas.testing import make_toy_dense, make_toy_driving
    if not osp.isdir(osp.join('data', 'toy_dense', 'PASCAL_MT')):
        make_toy_dense(osp.join('data', 'toy_dense'), num_images=16)
    if not osp.isfile(osp.join('data', 'toy_driving', 'manifest.json')):
        make_toy_driving(osp.join('data', 'toy_driving'))
    results: Dict[str, dict] = {}
    if osp.isfile(args.out + '.json'):
        with open(args.out + '.json') as f:
            results = json.load(f)['rows']
    for path in args.merge:
        with open(path) as f:
            results.update(json.load(f)['rows'])
    baselines = [c for spec in SETTINGS.values() for c in spec['single'] + spec['baselines']]
    for config in baselines + method_configs():
        if args.only and not any(p in config for p in args.only):
            continue
        work_dir = osp.join(args.work_dir, osp.splitext(config)[0].replace('/', '_'))
        setting = next((s for s, spec in SETTINGS.items()
                        if config in spec['single'] + spec['baselines']), None)
        print(f'{config} ...', flush=True)
        try:
            row = run_config(config, work_dir, DENSE_INPUT_SIZE, args.iters)
            row['iters'] = args.iters or 'own'
            row['setting'] = setting or setting_of(config, row['metrics'])
        except (RuntimeError, OSError, KeyError, ValueError) as err:
            row = dict(error=str(err), setting=setting)
        results[config] = row
        print(f'{config}: {row}', flush=True)
        write(results, args.out)  # after every row: a stopped run keeps what it measured
    write(results, args.out)
    print(f'wrote {args.out}.json and {args.out}.md')


def write(results: Dict[str, dict], out: str) -> None:
    """Δm of every row against its setting's Single, then ``<out>.json`` and ``<out>.md``."""
    for row in results.values():
        if 'metrics' in row and row.get('setting') in SETTINGS:
            single = single_reference(results, row['setting'])
            row['delta_m'] = delta_m(row['metrics'], single) if single else None
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(dict(rows=results, note=__doc__.split('\n\n')[2].strip()), f, indent=1)
    with open(out + '.md', 'w') as f:
        f.write(markdown(results))


if __name__ == '__main__':
    main()
