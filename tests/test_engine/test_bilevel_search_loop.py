"""BilevelSearchLoop on a real Runner: two splits, each reshuffled per epoch, fed as
dict(train, val); resume positions both loaders exactly; dict-form schedulers per optimiser."""
import math
import uuid

import pytest
import torch
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread, search_cfg  # noqa: F401
from tiny_model import TinyRegressionDataset

MAX_ITERS = 6


def _runner(tmp_path, **overrides):
    cfg = search_cfg(str(tmp_path), max_iters=MAX_ITERS, **overrides)
    return Runner(experiment_name=f'loop-{uuid.uuid4().hex}', **cfg)


def _targets_of(split):
    base = TinyRegressionDataset(num_samples=20)
    return {float(base[i]['targets']) for i in split.indices}


def _ids(batch):
    return [round(float(t), 6) for t in batch['targets']]


def test_loop_feeds_train_and_val_batches_from_their_own_splits(tmp_path):
    runner = _runner(tmp_path)
    loop = runner.build_train_loop(runner._train_loop)
    train_split = loop.dataloaders['train'].dataset
    val_split = loop.dataloaders['val'].dataset
    assert (len(train_split), len(val_split)) == (12, 8)
    allowed = {'train': _targets_of(train_split), 'val': _targets_of(val_split)}
    for _ in range(4):
        batches = loop._next_batches()
        assert set(batches) == {'train', 'val'}
        for name, batch in batches.items():
            assert set(_ids(batch)) <= {round(t, 6) for t in allowed[name]}


def test_each_loader_is_reshuffled_every_epoch_and_skip_matches_drawing(tmp_path):
    runner = _runner(tmp_path)
    loop = runner.build_train_loop(runner._train_loop)
    it = loop.iterators['train']  # 12 samples / batch 4 -> 3 batches per epoch
    drawn = [_ids(next(it)) for _ in range(7)]
    epoch0, epoch1 = sum(drawn[:3], []), sum(drawn[3:6], [])
    assert sorted(epoch0) == sorted(epoch1) and epoch0 != epoch1
    for k in (0, 2, 3, 5):
        it.skip(k)
        assert _ids(next(it)) == drawn[k]


def test_search_run_steps_both_optimisers_with_their_own_schedules(tmp_path):
    runner = _runner(tmp_path)
    alphas0 = {k: v.detach().clone() for k, v in runner.model.arch_params.items()}
    runner.train()
    assert runner.iter == MAX_ITERS
    weights = runner.optim_wrapper['weights'].optimizer.param_groups[0]
    arch = runner.optim_wrapper['arch'].optimizer.param_groups[0]
    # Cosine from 0.05 to 1e-3 (end = max_iters: the last step happens after iteration
    # MAX_ITERS - 1); the arch lr has no scheduler and stays constant.
    cosine = 1e-3 + (0.05 - 1e-3) * (1 + math.cos(math.pi * (MAX_ITERS - 1) / MAX_ITERS)) / 2
    assert weights['lr'] == pytest.approx(cosine)
    assert arch['lr'] == pytest.approx(3e-2)
    assert arch['betas'] == (0.5, 0.999)
    for name, value in runner.model.arch_params.items():
        assert not torch.equal(value, alphas0[name])
    logs = runner.message_hub.log_scalars
    assert 'train/loss' in logs and 'train/arch.loss' in logs
    assert math.isfinite(logs['train/arch.loss'].current())


def test_loop_rejects_a_single_dataloader(tmp_path):
    cfg = search_cfg(str(tmp_path))
    cfg['train_dataloader'] = cfg['train_dataloader']['train']
    runner = Runner(experiment_name=f'loop-{uuid.uuid4().hex}', **cfg)
    with pytest.raises(KeyError, match=r'dict\(train=<dataloader>, val=<dataloader>\)'):
        runner.build_train_loop(runner._train_loop)


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
