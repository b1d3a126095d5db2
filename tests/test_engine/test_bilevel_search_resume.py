"""A search stopped at iteration k and resumed (Runner resume=True) ends with exactly the
weights, alphas and genotype of an uninterrupted run with the same seed."""
import uuid

import pytest
import torch
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401
from tiny_darts_supernet import darts_search_cfg

from mmmtnas.structures.genotype import load_genotype_file

N, K = 6, 3  # 8 samples per split, batch 4: iteration 3 is mid-epoch for both loaders


def _hooks():
    return [dict(type='mmmtnas.ArchitectureExportHook', interval=K, draw=False),
            dict(type='mmmtnas.ArchitectureStableStopHook', interval=1, patience=100)]


def _run(work_dir, max_iters, **kwargs):
    runner = Runner(experiment_name=f'resume-{uuid.uuid4().hex}',
                    **darts_search_cfg(str(work_dir), max_iters=max_iters,
                                       checkpoint_interval=K, custom_hooks=_hooks(), **kwargs))
    runner.train()
    return runner


def test_resumed_search_equals_uninterrupted_search(tmp_path):
    full = _run(tmp_path / 'full', N)
    _run(tmp_path / 'cut', K)
    assert (tmp_path / 'cut' / f'iter_{K}.pth').is_file()
    resumed = _run(tmp_path / 'cut', N, resume=True)
    assert resumed.iter == N

    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    full_file = tmp_path / 'full' / 'genotype.yaml'
    cut_file = tmp_path / 'cut' / 'genotype.yaml'
    assert load_genotype_file(str(full_file)) == load_genotype_file(str(cut_file))
    assert full_file.read_bytes() == cut_file.read_bytes()
    # The early-stop hook's count continued across the interruption (checks at 1..6).
    hook = next(h for h in resumed.hooks if type(h).__name__ == 'ArchitectureStableStopHook')
    full_hook = next(h for h in full.hooks if type(h).__name__ == 'ArchitectureStableStopHook')
    assert (hook.unchanged, hook.last) == (full_hook.unchanged, full_hook.last)
    # The resumed part really searched: alphas moved after iteration K.
    k_state = torch.load(tmp_path / 'cut' / f'iter_{K}.pth', weights_only=True)['state_dict']
    key = 'supernet.arch_params.backbone__normal'
    assert not torch.equal(k_state[key], b[key])


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
