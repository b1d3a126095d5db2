"""Each feature-sharing baseline's toy twin (configs/comparison/{cross_stitch,nddr_cnn,mtan}/
*_toy.py) trains through tools/train.py and tests through tools/test.py; its validation and
test report every task's metric.

The tools run in this process (``runpy``, as ``python tools/train.py ...`` would run them):
three models of five task columns each leave no time for a fresh interpreter per call.
"""
import json
import os.path as osp
import runpy
import sys

import pytest

from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT

CONFIGS = {m: osp.join(REPO_ROOT, 'configs', 'comparison', m, f'mnv2_pascal_{m}_toy.py')
           for m in ('cross_stitch', 'nddr_cnn', 'mtan')}
METRICS = ('semseg/mIoU', 'human_parts/mIoU', 'sal/maxIoU', 'normals/mean', 'edge/odsF')


@pytest.fixture(scope='module')
def cwd(tmp_path_factory):
    root = tmp_path_factory.mktemp('comparison_dense')
    make_toy_dense(str(root / 'data' / 'toy_dense'), num_images=4, seed=0, size=(64, 64))
    return root


def run_tool(monkeypatch, cwd, tool, *args):
    """``python tools/<tool>.py ARGS`` in this process, in ``cwd``; fails on a non-zero exit."""
    monkeypatch.setattr(sys, 'argv', [f'{tool}.py', *map(str, args)])
    monkeypatch.chdir(cwd)  # the configs read data/toy_dense relative to the working dir
    try:
        runpy.run_path(osp.join(REPO_ROOT, 'tools', f'{tool}.py'), run_name='__main__')
    except SystemExit as exit_:
        assert not exit_.code, f'tools/{tool}.py {args} exited with {exit_.code}'


@pytest.mark.parametrize('method', sorted(CONFIGS))
def test_toy_twin_trains_and_tests(cwd, method, monkeypatch):
    work_dir = cwd / 'work' / method
    # a visualizer of its own: MMEngine keeps one instance per name in the process, and the
    # default one would write this run's scalars into the previous run's work dir
    own = f'visualizer.name=comparison_dense_{method}'
    run_tool(monkeypatch, cwd, 'train', CONFIGS[method], '--work-dir', work_dir,
             '--cfg-options', 'train_cfg.max_iters=1', 'train_cfg.val_interval=1',
             'default_hooks.checkpoint.interval=1', own)
    checkpoint = work_dir / 'iter_1.pth'
    assert checkpoint.is_file()
    # the validation at the end of training logged every task's metric
    logged = [json.loads(line) for p in work_dir.glob('*/vis_data/scalars.json')
              for line in p.read_text().splitlines() if line.strip()]
    assert any(all(k in entry for k in METRICS) for entry in logged), logged
    out = work_dir / 'test_metrics.json'
    run_tool(monkeypatch, cwd, 'test', CONFIGS[method], checkpoint, '--work-dir',
             work_dir / 'test', '--out', out, '--cfg-options', f'{own}_test')
    metrics = json.loads(out.read_text())
    for key in METRICS:  # human_parts/mIoU is NaN: the one toy val image has no person
        assert isinstance(metrics[key], float), (key, metrics)
    assert metrics['sal/maxIoU'] > 0 and metrics['normals/mean'] > 0
