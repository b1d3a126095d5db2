"""Each feature-sharing baseline's toy twin (configs/comparison/{cross_stitch,nddr_cnn,mtan}/
*_toy.py) trains through tools/train.py and tests through tools/test.py; its validation and
test log every task's metric."""
import json
import os.path as osp
import subprocess
import sys

import pytest

from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT
from train_tool import _env, train

CONFIGS = {m: osp.join(REPO_ROOT, 'configs', 'comparison', m, f'mnv2_pascal_{m}_toy.py')
           for m in ('cross_stitch', 'nddr_cnn', 'mtan')}
METRICS = ('semseg/mIoU', 'human_parts/mIoU', 'sal/maxIoU', 'normals/mean', 'edge/odsF')


@pytest.fixture(scope='module')
def cwd(tmp_path_factory):
    root = tmp_path_factory.mktemp('comparison_dense')
    make_toy_dense(str(root / 'data' / 'toy_dense'), num_images=4, seed=0, size=(64, 64))
    return root


@pytest.mark.parametrize('method', sorted(CONFIGS))
def test_toy_twin_trains_and_tests(cwd, method):
    work_dir = cwd / 'work' / method
    train(CONFIGS[method], work_dir, cwd, '--cfg-options', 'train_cfg.max_iters=2',
          'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2')
    checkpoint = work_dir / 'iter_2.pth'
    assert checkpoint.is_file()
    out = work_dir / 'test_metrics.json'
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'), CONFIGS[method],
         str(checkpoint), '--work-dir', str(work_dir / 'test'), '--out', str(out)],
        cwd=str(cwd), env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads(out.read_text())
    for key in METRICS:
        assert isinstance(metrics[key], float), (key, metrics)
    # the validation at the end of training logged the same metrics
    logs = [json.loads(line) for p in work_dir.rglob('*.json') if p.parent.name == 'vis_data'
            for line in p.read_text().splitlines() if line.strip()]
    assert any(all(k in entry for k in METRICS) for entry in logs)
