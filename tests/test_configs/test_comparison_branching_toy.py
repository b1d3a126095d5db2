"""The FAFS, BMN and random-branching toy pipelines through tools/train.py and tools/test.py
(2 iterations per training stage, no validation during training): each writes the branch
file a BMTAS search exports, the branched network of that file is retrained and tested; the
branching tool gives the hook's FAFS tree from the same checkpoint.

The tools run in this process (``runpy``, as ``python tools/X.py``): three pipelines in their
own processes would spend most of their time importing the OpenMMLab stack again."""
import json
import os.path as osp
import runpy
import shutil
import sys

import pytest
import torch

from mmmtnas.models.branched.branched_network import group_key
from mmmtnas.models.branched.encoder_split import module_key
from mmmtnas.structures import load_branch_file
from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT

CONFIGS = {
    'fafs': 'configs/comparison/fafs/mnv2_pascal_fafs_toy.py',
    'bmn': 'configs/comparison/bmn/mnv2_pascal_bmn_toy.py',
    'random': 'configs/comparison/random_branching/mnv2_pascal_random_toy.py',
}
TASKS = ['semseg', 'human_parts', 'sal', 'normals', 'edge']
# 2 iterations per training stage; no validation before the test stage
TINY = ('--cfg-options', 'train_cfg.max_iters=2', 'train_cfg.val_begin=1000')


def _tool(name, *args):
    """``python tools/<name> args...`` in this process; fail on a non-zero exit."""
    argv = sys.argv
    sys.argv = [name, *map(str, args)]
    try:
        runpy.run_path(osp.join(REPO_ROOT, 'tools', name), run_name='__main__')
    except SystemExit as err:
        assert not err.code, f'tools/{name} {args} exited with {err.code}'
    finally:
        sys.argv = argv


@pytest.fixture(scope='module')
def cwd(tmp_path_factory):
    root = tmp_path_factory.mktemp('comparison_branching')
    make_toy_dense(str(root / 'data' / 'toy_dense'), num_images=12, seed=0, size=(64, 64))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)  # the configs' data roots are relative
        yield root


@pytest.fixture(scope='module')
def runs(cwd):
    """FAFS: trained (its test stage included), then tested again by tools/test.py. Random:
    trained; its first stage is BMN's (the toy BMN stage, whose branch file is the random tree's
    target). BMN: trained from that finished first stage (a pipeline skips a finished stage), so
    its own stages retrain and test BMN's tree. No pictures (drawing is not under test here)."""
    out = {method: cwd / 'work' / method for method in CONFIGS}
    _tool('train.py', osp.join(REPO_ROOT, CONFIGS['fafs']), '--work-dir', out['fafs'], *TINY,
          'stages.branching.custom_hooks.0.draw=False')
    (out['fafs'] / 'test' / 'metrics.json').unlink()
    _tool('test.py', osp.join(REPO_ROOT, CONFIGS['fafs']),
          out['fafs'] / 'retrain' / 'checkpoint.pth', '--work-dir', out['fafs'])
    _tool('train.py', osp.join(REPO_ROOT, CONFIGS['random']), '--work-dir', out['random'], *TINY,
          'stages.branching.custom_hooks.0.draw=False',
          'stages.branching.custom_hooks.1.draw=False')
    shutil.copytree(out['random'] / 'branching', out['bmn'] / 'branching')
    _tool('train.py', osp.join(REPO_ROOT, CONFIGS['bmn']), '--work-dir', out['bmn'], *TINY)
    return out


@pytest.mark.parametrize('method', list(CONFIGS))
def test_toy_pipeline_writes_a_branch_file_and_retrains_and_tests_its_network(runs, method):
    work_dir = runs[method]
    name = 'random_branches.yaml' if method == 'random' else 'branches.yaml'
    path = str(work_dir / 'branching' / name)
    branches = load_branch_file(path, tasks=TASKS)
    assert branches.meta['method'] == method
    assert branches.madds['input_size'] == [64, 64]
    # the retrained network holds one copy of a block per group of tasks of that file
    state = torch.load(work_dir / 'retrain' / 'checkpoint.pth', map_location='cpu',
                       weights_only=False)['state_dict']
    copies = {}
    for key in state:
        if key.startswith('encoder.blocks.'):
            layer, group = key.split('.')[2:4]
            copies.setdefault(layer, set()).add(group)
    assert copies == {module_key(layer): {group_key(g) for g in groups}
                      for layer, groups in branches.groups().items()}
    metrics = json.loads((work_dir / 'test' / 'metrics.json').read_text())
    for key in ('semseg/mIoU', 'human_parts/mIoU', 'sal/maxIoU', 'normals/mean', 'edge/odsF',
                'macs_G'):
        assert key in metrics, key
    if method == 'random':
        target = load_branch_file(str(work_dir / 'branching' / 'branches.yaml'))
        assert branches.meta['target_madds'] == pytest.approx(target.madds['derived'])
        assert abs(branches.madds['derived'] - target.madds['derived']) <= \
            0.05 * target.madds['derived']


def test_branching_tool_gives_the_hooks_fafs_tree_from_the_same_checkpoint(runs, cwd):
    stage = osp.join(REPO_ROOT, 'configs', 'comparison', 'fafs', 'toy_mnv2_fafs_shared.py')
    out = str(cwd / 'tool_fafs.yaml')
    _tool('branching/branching.py', 'fafs', stage, runs['fafs'] / 'branching' / 'checkpoint.pth',
          '--penalty', '0.5', '--num-images', '8', '--input-size', '64', '64', '--out', out)
    hook = load_branch_file(str(runs['fafs'] / 'branching' / 'branches.yaml'))
    tool = load_branch_file(out)
    assert tool.routing == hook.routing
    assert tool.meta['affinity'] == hook.meta['affinity']
    assert tool.madds == hook.madds
