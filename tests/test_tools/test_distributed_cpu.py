"""Two CPU processes (gloo) launched as the README says: the tiny model ends with identical
weights; the toy MTL baseline (alternating tasks), an MTNAS S2b search (one task per iteration)
and a BMTAS search (warm-up, architecture and weight phases) run a few iterations with no
DDP option on the command line or in their configs."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.testing import make_toy_dense, make_toy_driving
from repo_paths import FIXTURES, REPO_ROOT
from test_tools.test_train_resume import final_state

CONFIGS = osp.join(REPO_ROOT, 'configs')


def torchrun(config, port):
    """The README's command: ``torchrun --nproc_per_node=2 tools/train.py CONFIG --launcher
    pytorch`` (``python -m torch.distributed.run`` is torchrun)."""
    return [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
            f'--master_port={port}', osp.join(REPO_ROOT, 'tools', 'train.py'), config,
            '--launcher', 'pytorch']


def run(cmd, cwd, work_dir, pythonpath=(REPO_ROOT, )):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(pythonpath), CUDA_VISIBLE_DEVICES='',
               OMP_NUM_THREADS='1')
    proc = subprocess.run([*cmd, '--work-dir', str(work_dir)], cwd=str(cwd), env=env,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        pytest.fail(proc.stdout[-3000:] + proc.stderr[-3000:])
    return proc


def test_two_process_cpu_training_ends_with_identical_weights(tmp_path):
    config = osp.join(FIXTURES, 'configs', 'tiny_regression_rank_dump.py')
    run(torchrun(config, 29517), REPO_ROOT, tmp_path, pythonpath=(FIXTURES, REPO_ROOT))
    rank0 = torch.load(tmp_path / 'rank0_final.pth', weights_only=True)
    rank1 = torch.load(tmp_path / 'rank1_final.pth', weights_only=True)
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        torch.testing.assert_close(rank0[key], rank1[key], rtol=0, atol=0, msg=key)
    # Both ranks really ran distributed: the world size they saw was 2 and each took half the
    # batches (32 samples / batch 4 / 2 ranks = 4 iterations per epoch).
    meta = torch.load(tmp_path / 'rank1_final.pth.meta', weights_only=True)
    assert meta == {'world_size': 2, 'iters': 8}
    # The checkpoint the runner wrote (rank 0) holds the same weights.
    ckpt = final_state(tmp_path / 'epoch_2.pth')
    torch.testing.assert_close(ckpt['fc.weight'], rank1['fc.weight'], rtol=0, atol=0)


def _child(tmp_path, name, base, **overrides):
    """A config file inheriting ``base`` with only a smaller budget: no DDP option."""
    path = tmp_path / f'{name}.py'
    Config(dict(_base_=[base], **overrides)).dump(str(path))
    return str(path)


def _mtl_baseline(tmp_path):
    make_toy_driving(str(tmp_path / 'data' / 'toy_driving'), num_images=16, seed=0)
    # 4 iterations: det, seg, det, seg; no validation
    return _child(tmp_path, 'mtl', osp.join(CONFIGS, 'mtl_baseline', 'r18_fpn_ssd_fcn_toy.py'),
                  train_cfg=dict(max_iters=4, val_interval=100),
                  val_dataloader=None, val_cfg=None, val_evaluator=None,
                  default_hooks=dict(checkpoint=dict(interval=4)))


def _s2b_search(tmp_path):
    make_toy_driving(str(tmp_path / 'data' / 'toy_driving'), num_images=16, seed=0)
    pipeline = Config.fromfile(osp.join(CONFIGS, 'mtnas', 'ssd_fcn_toy.py'))
    pipeline.work_dir = str(tmp_path / 'pipeline')
    stage = StagedPipeline(pipeline).stage_config('s2b')  # the S2b stage config, composed
    stage.merge_from_dict(dict(train_cfg=dict(max_iters=4)))  # det, seg, det, seg
    path = tmp_path / 's2b.py'
    stage.dump(str(path))
    return str(path)


def _bmtas_search(tmp_path):
    make_toy_dense(str(tmp_path / 'data' / 'toy_dense'), num_images=20, seed=0, size=(64, 64))
    # 1 warm-up iteration, then one cycle of architecture and weight iterations
    return _child(tmp_path, 'bmtas', osp.join(CONFIGS, 'bmtas', 'toy_mnv2_search.py'),
                  train_cfg=dict(schedule=dict(warmup_iters=1, max_arch_iters=1)))


@pytest.mark.parametrize('make_config, port, outputs', [
    (_mtl_baseline, 29521, ['iter_4.pth']),
    (_s2b_search, 29523, ['iter_4.pth', 'genotype.yaml']),
    (_bmtas_search, 29525, ['branches.yaml']),
], ids=['mtl_baseline', 's2b_search', 'bmtas_search'])
def test_readme_torchrun_runs_alternating_tasks_and_searches(tmp_path, make_config, port,
                                                             outputs):
    config = make_config(tmp_path)
    assert 'find_unused_parameters' not in open(config).read()
    proc = run(torchrun(config, port), tmp_path, tmp_path / 'work')
    for name in outputs:
        assert (tmp_path / 'work' / name).is_file(), name
    log = proc.stdout + proc.stderr
    assert 'Distributed training: True' in log


def test_pipeline_stages_get_the_ddp_wrapper_and_plain_bn_on_cpu(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    pipeline = Config.fromfile(osp.join(CONFIGS, 'bmtas', 'mnv2_pascal_mt.py'))
    pipeline.work_dir = str(tmp_path)
    pipeline.launcher = 'pytorch'
    stage = StagedPipeline(pipeline).stage_config('search')
    assert stage.model_wrapper_cfg.type == 'mmmtnas.DeviceAgnosticDDP'
    assert stage.env_cfg.dist_cfg.backend == 'gloo'
    assert 'sync_bn' not in stage  # the multi-GPU stage config asks for SyncBN
    search = Config.fromfile(osp.join(CONFIGS, 'bmtas', 'mnv2_pascal_mt_search.py'))
    assert search.sync_bn == 'torch'
