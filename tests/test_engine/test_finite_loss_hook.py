"""A non-finite loss (or architecture parameter) stops a run at once, naming the run, the
iteration and the term, before any checkpoint or export of the diverged state is written."""
import uuid

import pytest
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401
from tiny_darts_supernet import darts_search_cfg
from tiny_model import TinyRegressor  # noqa: F401  (registers the model and its dataset)

from mmmtnas.engine.hooks import NonFiniteLossError

_GUARD = dict(type='mmmtnas.FiniteLossHook')


def _plain_cfg(work_dir, lr):
    return dict(
        model=dict(type='TinyRegressor'), work_dir=work_dir,
        train_dataloader=dict(batch_size=4, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=True),
                              collate_fn=dict(type='default_collate'),
                              dataset=dict(type='TinyRegressionDataset', num_samples=16)),
        train_cfg=dict(type='IterBasedTrainLoop', max_iters=20),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=lr)),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1),
                           finite_loss=_GUARD),
        randomness=dict(seed=0), default_scope='mmmtnas', log_level='WARNING')


def test_diverging_training_stops_at_the_first_nan_iteration(tmp_path):
    runner = Runner(experiment_name=f'nan-{uuid.uuid4().hex}',
                    **_plain_cfg(str(tmp_path / 'baseline'), lr=1e6))
    with pytest.raises(NonFiniteLossError,
                       match=r'^baseline: non-finite value at iteration (\d+) in loss'):
        runner.train()
    stopped_at = runner.iter + 1  # the failing iteration never completed
    saved = sorted(int(p.stem.split('_')[1]) for p in (tmp_path / 'baseline').glob('iter_*.pth'))
    assert saved == list(range(1, stopped_at))  # nothing saved from the diverged state
    assert stopped_at < 20


def test_a_finite_run_passes_the_guard(tmp_path):
    runner = Runner(experiment_name=f'ok-{uuid.uuid4().hex}',
                    **_plain_cfg(str(tmp_path / 'ok'), lr=1e-3))
    runner.train()
    assert runner.iter == 20


def test_non_finite_alpha_stops_a_search_before_export_and_early_stop(tmp_path):
    runner = Runner(experiment_name=f'nan-search-{uuid.uuid4().hex}', **darts_search_cfg(
        str(tmp_path / 's1_det'), max_iters=6, arch_lr=1e30,
        custom_hooks=[dict(type='mmmtnas.ArchitectureStableStopHook', interval=1, patience=1),
                      dict(type='mmmtnas.ArchitectureExportHook', interval=1)],
        default_hooks=dict(finite_loss=_GUARD)))
    with pytest.raises(NonFiniteLossError, match=r'^s1_det: non-finite value at iteration \d+ '
                       r'in .*architecture parameters'):
        runner.train()
    failed = runner.iter + 1
    # exports only of the finite iterations before; no final structure; no early stop
    exports = sorted(p.name for p in (tmp_path / 's1_det').glob('architectures/*.yaml'))
    assert exports == [f'genotype_iter_{i}.yaml' for i in range(1, failed)]
    assert not (tmp_path / 's1_det' / 'genotype.yaml').exists()
    assert not runner.train_loop.stop_training


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
