"""The toy BMTAS pipeline in one ``tools/train.py`` call with ``--work-dir`` elsewhere:
search -> export (branch file + picture) -> retrain the branched network -> test, summary.
The toy twin of configs/bmtas/mnv2_pascal_mt.py: per-task update order and every block started
from a local (stand-in) ImageNet checkpoint, as the real pipeline.

One real run of every stage with a handful of iterations: well under a minute on 2 CPU cores.
"""
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.models.branched.branched_network import group_key
from mmmtnas.models.branched.encoder_split import module_key
from mmmtnas.registry import MODELS
from mmmtnas.structures import load_branch_file
from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_pascal.py')
SEARCH = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_search.py')
RETRAIN = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_retrain.py')
TASKS = ['semseg', 'sal']
# The toy pipeline with a few iterations per stage: 2 warm-up, one cycle of the alternating
# phases (1 architecture + 2 weight batches of the 9 training images), 2 retraining iterations;
# the test stage also times the network in ONNX Runtime.
TINY = f"""_base_ = [{CONFIG!r}]
stages = dict(
    search=dict(train_cfg=dict(schedule=dict(warmup_iters=2, max_arch_iters=1))),
    retrain=dict(train_cfg=dict(max_iters=2, val_interval=2)),
    test=dict(onnx_latency=True))
"""


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    """Run the pipeline from a folder that holds only the data; the work dir is elsewhere."""
    root = tmp_path_factory.mktemp('bmtas_pipeline')
    cwd, work_dir = root / 'cwd', root / 'elsewhere' / 'work'
    make_toy_dense(str(cwd / 'data' / 'toy_dense'), num_images=12, seed=0, size=(64, 64))
    data_files = sorted(str(p.relative_to(cwd)) for p in cwd.rglob('*'))
    config = root / 'tiny_toy_mnv2_pascal.py'
    config.write_text(TINY)
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    proc = subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), str(config),
         '--work-dir', str(work_dir)],
        cwd=str(cwd), env=env, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f'tools/train.py failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n'
                    f'{proc.stderr[-5000:]}')
    left_in_cwd = sorted(str(p.relative_to(cwd)) for p in cwd.rglob('*'))
    return dict(work_dir=work_dir, cwd=cwd, data_files=data_files, left_in_cwd=left_in_cwd,
                log=proc.stdout + proc.stderr,
                root_entries=sorted(os.listdir(root)),
                elsewhere=sorted(os.listdir(root / 'elsewhere')))


def test_every_stage_finished_in_the_work_dir(run):
    work_dir = run['work_dir']
    for stage in ('search', 'retrain', 'test'):
        assert (work_dir / stage / 'DONE.json').is_file(), stage
    # nothing written outside the work dir: not in the working directory (where relative
    # paths such as work_dirs/ would land), not beside the config, not beside the work dir
    assert run['left_in_cwd'] == run['data_files']
    assert run['root_entries'] == ['cwd', 'elsewhere', 'tiny_toy_mnv2_pascal.py']
    assert run['elsewhere'] == ['work']


def test_search_exported_a_valid_branch_file_and_its_picture(run):
    path = run['work_dir'] / 'search' / 'branches.yaml'
    branches = load_branch_file(str(path), tasks=TASKS)  # validates format, tasks, routing
    assert branches.tasks == TASKS
    # the cost is counted at the size the search config says
    assert branches.madds['input_size'] == list(Config.fromfile(SEARCH).model.cost_input_size)
    assert (run['work_dir'] / 'search' / 'branches.png').is_file()


def test_the_stages_ran_the_real_method_from_the_local_imagenet_stand_in(run):
    """The twin's search and retraining are the real ones (update order, initialisation) and
    both loaded the checkpoint the toy data generator wrote (a missing file fails the run)."""
    search, retrain = Config.fromfile(SEARCH).model, Config.fromfile(RETRAIN).model
    assert search.get('update', 'per_task') == 'per_task'
    for encoder in (search.model.encoder, retrain.encoder):
        checkpoint = encoder.backbone.init_cfg.checkpoint
        assert checkpoint in run['data_files'] and (run['cwd'] / checkpoint).is_file()


def test_retrain_trained_the_branched_network_of_that_file(run):
    branch_file = str(run['work_dir'] / 'search' / 'branches.yaml')
    cfg = Config.fromfile(RETRAIN)
    cfg.model.encoder.branches = branch_file
    init_default_scope('mmmtnas')
    expected = MODELS.build(cfg.model).state_dict()
    trained = torch.load(run['work_dir'] / 'retrain' / 'checkpoint.pth', map_location='cpu',
                         weights_only=False)['state_dict']
    assert {k: tuple(v.shape) for k, v in trained.items()} == \
        {k: tuple(v.shape) for k, v in expected.items()}
    assert not any('arch_params' in k for k in trained)
    # one copy of each block per group of tasks that the branch file gives the layer
    groups = load_branch_file(branch_file, tasks=TASKS).groups()
    copies = {}
    for key in trained:
        if key.startswith('encoder.blocks.'):
            layer, group = key.split('.')[2:4]
            copies.setdefault(layer, set()).add(group)
    assert {layer: set(found) for layer, found in copies.items()} == {
        module_key(layer): {group_key(g) for g in found} for layer, found in groups.items()}
    metrics = json.loads((run['work_dir'] / 'retrain' / 'metrics.json').read_text())
    assert metrics['iterations'] == 2


def test_summary_holds_the_branch_file_and_the_test_metrics(run):
    summary = json.loads((run['work_dir'] / 'summary.json').read_text())
    assert list(summary['stages']) == ['search', 'retrain', 'test']
    assert all(stage['done'] for stage in summary['stages'].values())
    assert 'branches' in summary['stages']['search']['structures']
    metrics = summary['stages']['test']['metrics']
    for key in ('semseg/mIoU', 'sal/maxIoU', 'flops_G', 'params_M', 'latency_ms',
                'latency_ort_ms'):
        assert isinstance(metrics[key], float), key
    assert metrics['latency_ort_ms'] > 0
    assert metrics['input_size'] == [64, 64]
    # a pipeline key: measured by the pipeline, not merged into the runner's config
    (config, ) = (run['work_dir'] / 'test').glob('*/vis_data/config.py')
    assert 'onnx_latency' not in config.read_text()
    assert 'latency_ort_ms (ONNX Runtime, CPU, batch 1, median)' in \
        (run['work_dir'] / 'summary.md').read_text()


def test_the_log_counts_stages_and_names_the_summary_and_each_stage_has_its_vis_data(run):
    work_dir, log = run['work_dir'], run['log']
    for k, stage in enumerate(('search', 'retrain', 'test'), 1):
        assert f'pipeline: stage {k}/3: {stage} (' in log, stage
        # the stage's own visualizer: its config and scalars in its own folder
        (config, ) = (work_dir / stage).glob('*/vis_data/config.py')
        assert re.search(r"^work_dir\s*=\s*'(.*)'$", config.read_text(), re.M).group(1) == \
            str(work_dir / stage)
    assert f'pipeline: summary written to {work_dir / "summary.md"}' in log
    # the search logged the routing probabilities (every 100 iterations: at 0 and the end)
    (scalars, ) = (work_dir / 'search').glob('*/vis_data/scalars.json')
    routing = [json.loads(line) for line in scalars.read_text().splitlines()
               if '"arch/routing/' in line]
    assert len(routing) == 2 and routing[0]['step'] == 0
    assert all(v == 0.5 for k, v in routing[0].items() if k != 'step')
    assert (work_dir / 'search' / 'branches_weights.png').is_file()


def _tool(run, tool, *args):
    root = run['work_dir'].parent.parent
    return subprocess.run(
        [sys.executable, osp.join(REPO_ROOT, 'tools', tool),
         str(root / 'tiny_toy_mnv2_pascal.py'), *args],
        cwd=str(root / 'cwd'), env=dict(os.environ, PYTHONPATH=REPO_ROOT),
        capture_output=True, text=True, timeout=600)


def _files(folder):
    return {p: p.read_bytes() for p in folder.rglob('*') if p.is_file()}


def test_a_failed_test_run_leaves_the_finished_pipeline_untouched(run, tmp_path):
    before = _files(run['work_dir'])
    bad = tmp_path / 'broken.pth'
    bad.write_bytes(b'not a checkpoint')
    proc = _tool(run, 'test.py', str(bad), '--work-dir', str(run['work_dir']))
    errors = [line for line in proc.stderr.splitlines() if line.startswith('error:')]
    assert proc.returncode == 1 and len(errors) == 1 and str(bad) in errors[0], proc.stderr
    assert _files(run['work_dir']) == before  # DONE.json markers and outputs included


def test_a_diverging_search_stops_the_pipeline_with_its_stage_and_iteration(run, tmp_path):
    work_dir = tmp_path / 'nan'
    proc = _tool(run, 'train.py', '--work-dir', str(work_dir), '--cfg-options',
                 'stages.search.optim_wrapper.weights.optimizer.lr=1e12')
    errors = [line for line in proc.stderr.splitlines() if line.startswith('error:')]
    assert proc.returncode == 1 and len(errors) == 1, proc.stderr[-3000:]
    assert errors[0].startswith('error: NonFiniteLossError: search: non-finite value at '
                                'iteration ')
    assert not (work_dir / 'search' / 'DONE.json').exists()
    assert not (work_dir / 'search' / 'branches.yaml').exists()
    assert not (work_dir / 'retrain').exists()
