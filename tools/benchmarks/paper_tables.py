"""Run the paper's Tables 1-3 rows (their ``_toy`` twins) on the toy data and write the tables.

    python tools/benchmarks/paper_tables.py [--rows NAME ...] [--quick N]
        [--work-dir work_dirs/paper_tables] [--out tools/benchmarks/results/paper_tables]

Every row config ``configs/mtnas/table*/*_toy.py`` (or those whose name contains one of
``--rows``) runs to the end with ``tools/train.py`` in its own process: a pipeline row runs
every stage and its test stage writes ``test/metrics.json`` (det/mAP, seg/mIoU, GMACs,
GFLOPs = 2 x GMACs, parameters, CPU latency at the row's input size); a baseline row (a plain
runner) is trained, tested on the test split with ``tools/test.py`` and profiled here the same
way. ``--quick N`` caps every training stage at N iterations (``--cfg-options
train_cfg.max_iters=N``); such rows are labelled ``quick`` in the output. Writes
``<out>.json`` and ``<out>.md`` (the paper's figures beside; toy-scale numbers are not
comparable to them), keeping the rows an earlier call wrote. Needs the toy data in
``data/toy_driving`` (written when missing).
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
TABLES = osp.join(REPO, 'configs', 'mtnas')
# The paper's figures (Tables 1-3): row -> (label, mAP, mIoU, GFLOPs); None where not given.
PAPER = {
    'ssd_r18': ('Table 1: SSD', 41.5, None, 13.5),
    'fcn_r18': ('Table 1: FCN', None, 42.7, 12.1),
    'mtl_baseline': ('Table 1: MTL baseline', 40.2, 44.2, 13.7),
    'proxy_darts': ('Table 1: DARTS', 36.2, 40.1, 9.7),
    'proxy_darts_imagenet': ('Table 1: DARTS†', 38.6, 42.6, 9.7),
    'proxy_pc_darts': ('Table 1: PC-DARTS', 34.0, 43.0, 11.4),
    'proxy_pc_darts_imagenet': ('Table 1: PC-DARTS†', 36.0, 44.5, 11.4),
    'proxy_darts_plus': ('Table 1: DARTS+', 34.8, 44.2, 11.4),
    'proxy_darts_plus_imagenet': ('Table 1: DARTS+†', 37.7, 45.0, 11.4),
    'random_search': ('Table 1: Random search', 38.6, 41.5, 10.4),
    'co_search': ('Table 1: Co-search', 41.1, 43.0, 10.5),
    'without_branch_search': ('Table 1: Ours†, w/o branch search', 41.4, 45.5, 10.9),
    'without_backbone_search': ('Table 1: Ours†, w/o backbone search', 40.5, 44.5, 11.8),
    'ours_dagger': ('Table 1: Ours†', 42.1, 45.4, 9.0),
    'ours_star': ('Table 1: Ours*', 43.7, 46.2, 9.0),
    'pt_only': ('Table 2: PT', 40.5, 44.5, None),
    'ps_only': ('Table 2: PS', 40.5, 44.3, None),
    'bs_only': ('Table 2: BS', 41.2, 44.7, None),
    'pt_bs': ('Table 2: PT+BS', 42.1, 45.4, None),
    'ps_bs': ('Table 2: PS+BS', 43.7, 46.2, None),
    'mtnas_single': ('Table 3: MTNAS (Ours)', 68.8, 63.4, 12.6),
    'ssd_r18_single': ('Table 3: SSD-ResNet18', 62.7, None, 13.5),
    'fcn_r18_single': ('Table 3: FCN-ResNet18', None, 51.1, 12.1),
}
FIELDS = ('det/mAP', 'seg/mIoU', 'flops_G', 'macs_G', 'params_M', 'latency_ms')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--rows', nargs='+', help='run only rows whose name contains one of '
                        'these (e.g. ours_star mtl_baseline)')
    parser.add_argument('--quick', type=int, help='cap every training stage at N iterations')
    parser.add_argument('--work-dir', default='work_dirs/paper_tables')
    parser.add_argument('--out', default=osp.join(REPO, 'tools', 'benchmarks', 'results',
                                                  'paper_tables'),
                        help='output path without extension (.json and .md are written)')
    return parser.parse_args(argv)


def row_configs(patterns: Optional[List[str]]) -> List[str]:
    """The ``_toy`` row configs (relative to configs/mtnas), filtered by ``patterns``."""
    found = glob.glob(osp.join(TABLES, 'table*', '*_toy.py'))
    rows = sorted(osp.relpath(p, TABLES) for p in found)
    return [r for r in rows if not patterns or any(p in r for p in patterns)]


def _tool(name: str, *args: str) -> None:
    env = dict(os.environ, PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, osp.join(REPO, 'tools', name), *args], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f'tools/{name} {" ".join(args)} failed: '
                           f'{proc.stderr.strip().splitlines()[-1:]}')


def _profile_plain(config: str, checkpoint: str) -> Dict[str, float]:
    """GMACs, GFLOPs, parameters and CPU latency of a plain runner's model."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    from mmmtnas.engine.runner.model_profile import profile_model
    from mmmtnas.registry import MODELS, register_all_modules
    register_all_modules(init_default_scope=False)
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(config)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    return profile_model(model, cfg.input_size)


def run_row(row: str, work_dir: str, quick: Optional[int]) -> dict:
    """Run one row to the end; its metrics."""
    from mmengine.config import Config
    config = osp.join(TABLES, row)
    options = ['--cfg-options', f'train_cfg.max_iters={quick}'] if quick else []
    shutil.rmtree(work_dir, ignore_errors=True)  # a fresh run: a pipeline skips finished stages
    start = time.time()
    _tool('train.py', config, '--work-dir', work_dir, *options)
    if isinstance(Config.fromfile(config).get('stages'), dict):
        with open(osp.join(work_dir, 'test', 'metrics.json')) as f:
            metrics = json.load(f)
    else:
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
        out = osp.join(work_dir, 'test_metrics.json')
        _tool('test.py', config, checkpoint, '--work-dir', work_dir, '--out', out, *options)
        with open(out) as f:
            metrics = json.load(f)
        metrics.update(_profile_plain(config, checkpoint))
    return dict({k: metrics.get(k) for k in FIELDS}, wall_s=round(time.time() - start, 1))


def _cell(value, digits=2) -> str:
    return '–' if value is None else f'{value:.{digits}f}'


def markdown(results: Dict[str, dict]) -> str:
    """The tables as Markdown: toy figures and the paper's beside them."""
    lines = [
        '| row | config | run | mAP (%) | mIoU (%) | GFLOPs | GMACs | params (M) | CPU latency '
        '(ms) | paper mAP / mIoU / GFLOPs |', '|---' * 10 + '|'
    ]
    order = list(PAPER)
    for row, r in sorted(results.items(), key=lambda kv: (
            order.index(kv[1]['name']) if kv[1]['name'] in order else len(order), kv[0])):
        label, p_map, p_miou, p_flops = PAPER.get(r['name'], (r['name'], None, None, None))
        # mmdet's VOCMetric gives mAP as a fraction, mmseg's IoUMetric mIoU in percent
        pct = [None if r.get('det/mAP') is None else 100 * r['det/mAP'], r.get('seg/mIoU')]
        paper = ' / '.join(_cell(v, 1) for v in (p_map, p_miou, p_flops))
        lines.append(f'| {label} | `{row}` | {r["run"]} | {_cell(pct[0], 1)} | '
                     f'{_cell(pct[1], 1)} | {_cell(r.get("flops_G"), 3)} | '
                     f'{_cell(r.get("macs_G"), 3)} | {_cell(r.get("params_M"), 3)} | '
                     f'{_cell(r.get("latency_ms"), 1)} | {paper} |')
    return '\n'.join(lines) + '\n'


def main(argv=None) -> None:
    args = parse_args(argv)
    if not osp.isfile(osp.join('data', 'toy_driving', 'manifest.json')):
        sys.path.insert(0, REPO)
        from mmmtnas.testing import make_toy_driving
        make_toy_driving(osp.join('data', 'toy_driving'))
    results = {}  # rows run before (an earlier call, e.g. another --quick) are kept
    if osp.isfile(args.out + '.json'):
        with open(args.out + '.json') as f:
            results = json.load(f)['rows']
    for row in row_configs(args.rows):
        name = osp.basename(row)[:-len('_toy.py')]
        work_dir = osp.join(args.work_dir, row.replace('/', '_')[:-3])
        run = f'quick ({args.quick} iterations per stage)' if args.quick else 'full'
        print(f'{row}: {run} ...', flush=True)
        try:
            results[row] = dict(name=name, run=run, **run_row(row, work_dir, args.quick))
        except RuntimeError as err:
            results[row] = dict(name=name, run=run, error=str(err))
        print(f'{row}: {results[row]}', flush=True)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out + '.json', 'w') as f:
        json.dump(dict(rows=results, paper=PAPER), f, indent=1)
    with open(args.out + '.md', 'w') as f:
        f.write(markdown(results))
    print(f'wrote {args.out}.json and {args.out}.md')


if __name__ == '__main__':
    main()
