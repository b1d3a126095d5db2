"""A search killed with SIGKILL after a checkpoint and resumed with ``tools/train.py --resume``
exports the same structure file, byte for byte, as an uninterrupted run with the same seed;
random augmentation (scale, crop, flip) stays on."""
import os.path as osp

import torch
from train_tool import train, train_killed_after_checkpoint

from mmmtnas.testing import make_toy_dense
from repo_paths import REPO_ROOT

BMTAS_SEARCH = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_search.py')
# 4 warm-up iterations, then two cycles of 1 architecture + 3 weight iterations (16 training
# images: 3 / 13 at batch 4): 12 iterations, a checkpoint every 3.
OPTIONS = ['train_cfg.schedule.warmup_iters=4', 'train_cfg.schedule.max_arch_iters=2',
           'default_hooks.checkpoint.interval=3', 'default_hooks.checkpoint.max_keep_ckpts=10',
           'default_hooks.logger.interval=1']


def test_bmtas_search_killed_after_a_checkpoint_resumes_to_the_same_branch_file(tmp_path):
    make_toy_dense(str(tmp_path / 'data' / 'toy_dense'), num_images=20, seed=0, size=(64, 64))
    options = ['--cfg-options', *OPTIONS]
    train(BMTAS_SEARCH, tmp_path / 'full', tmp_path, *options)
    killed = tmp_path / 'killed'
    kill = train_killed_after_checkpoint(BMTAS_SEARCH, killed, tmp_path, *options)
    assert kill['killed'], 'the search ended before it could be killed'
    checkpoint = kill['checkpoint']
    assert not (killed / 'branches.yaml').exists()
    train(BMTAS_SEARCH, killed, tmp_path, '--resume', *options)
    full = (tmp_path / 'full' / 'branches.yaml').read_bytes()
    assert full == (killed / 'branches.yaml').read_bytes()
    final = osp.basename((tmp_path / 'full' / 'last_checkpoint').read_text().strip())
    assert final == 'iter_12.pth' and checkpoint.startswith('iter_') and checkpoint != final
    # the weights too (the branch file alone hides small differences: each architecture block
    # is one sign-like first Adam step)
    a, b = (torch.load(d / final, weights_only=True)['state_dict']
            for d in (tmp_path / 'full', killed))
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)
