"""One SearchLoop for every search: DARTS (``bilevel``), MTNAS S2b (``task_round_robin``) and
BMTAS (``bmtas_phases``) run through the same loop class on tiny generated data; each source is
reshuffled per epoch; a search stopped and resumed exports the same structure file, byte for
byte, as an uninterrupted one."""
import math
import uuid

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread, search_cfg  # noqa: F401
from tiny_bmtas import search_runner_cfg
from tiny_darts_supernet import darts_search_cfg
from tiny_model import StopAfterIterHook, TinyRegressionDataset

from mmmtnas.engine.loops import SearchLoop

MAX_ITERS = 6


def _runner(tmp_path, **overrides):
    cfg = search_cfg(str(tmp_path), max_iters=MAX_ITERS, **overrides)
    return Runner(experiment_name=f'loop-{uuid.uuid4().hex}', **cfg)


def _targets_of(split):
    base = TinyRegressionDataset(num_samples=20)
    return {round(float(base[i]['targets']), 6) for i in split.indices}


def _ids(batch):
    return [round(float(t), 6) for t in batch['targets']]


def _image_loader(split, seed, fraction=0.5):
    return dict(batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
                collate_fn=dict(type='default_collate'),
                dataset=dict(type='mmmtnas.DatasetSplit', split=split, fraction=fraction,
                             dataset=dict(type='TinyImageDataset', num_samples=16, seed=seed)))


def darts_cfg(work_dir, max_iters, **kw):
    return darts_search_cfg(work_dir, max_iters=max_iters, **kw)


def s2b_cfg(work_dir, max_iters, **kw):
    """Two 'tasks' with their own data; the reduction cell's alpha frozen as S2b freezes the
    branches'."""
    cfg = darts_search_cfg(work_dir, max_iters=max_iters, **kw)
    cfg['model'] = dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['backbone.reduce'],
                        supernet=dict(type='TinyDartsClassifier'))
    cfg['train_dataloader'] = dict(
        det=dict(train=_image_loader('search', 1), val=_image_loader('val', 1)),
        seg=dict(train=_image_loader('search', 2), val=_image_loader('val', 2)))
    cfg['train_cfg'] = dict(type='mmmtnas.SearchLoop', max_iters=max_iters,
                            schedule=dict(type='task_round_robin'))
    return cfg


def bmtas_cfg(work_dir, max_iters, **kw):
    """Warm-up 2, then blocks of 1 architecture and 2 weight iterations (``max_iters`` is
    derived by the schedule: 2 + 3 * 2 = 8)."""
    return search_runner_cfg(work_dir, **kw)


class _DataRecorder(Hook):
    """Which phases (batch keys) and task each iteration ran."""

    def __init__(self):
        self.rows = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.rows.append((tuple(data_batch), runner.message_hub.get_info('train_task')))


# (config, iterations, stop after (mid-epoch / mid-block), exported file)
SEARCHES = dict(darts=(darts_cfg, 4, 3, 'genotype.yaml'), s2b=(s2b_cfg, 4, 3, 'genotype.yaml'),
                bmtas=(bmtas_cfg, 8, 4, 'branches.yaml'))


@pytest.mark.parametrize('search', list(SEARCHES))
def test_every_search_runs_through_the_one_loop_and_resumes_to_the_same_export(tmp_path,
                                                                               search):
    make_cfg, iters, cut, filename = SEARCHES[search]

    def run(work_dir, max_iters, **kw):
        recorder = _DataRecorder()
        runner = Runner(experiment_name=f'{search}-{uuid.uuid4().hex}',
                        **make_cfg(str(work_dir), max_iters, checkpoint_interval=cut,
                                   custom_hooks=[dict(type='mmmtnas.ArchitectureExportHook',
                                                      draw=False), recorder], **kw))
        assert type(runner.train_loop) is SearchLoop
        runner.train()
        return runner, recorder.rows

    full, rows = run(tmp_path / 'full', iters)
    assert full.iter == iters
    if search == 'darts':
        assert rows == [(('arch', 'weights'), None)] * iters
    elif search == 's2b':
        assert rows == [(('arch', 'weights'), t) for t in ('det', 'seg', 'det', 'seg')]
        frozen = full.model.arch_params['backbone.reduce']
        assert not frozen.requires_grad
    else:
        assert [r[0] for r in rows] == [('warmup', ), ('warmup', ), ('arch', ), ('weights', ),
                                        ('weights', ), ('arch', ), ('weights', ), ('weights', )]

    _run_until(make_cfg, tmp_path / 'cut', iters, cut)
    resumed, _ = run(tmp_path / 'cut', iters, resume=True)
    assert resumed.iter == iters
    exported = (tmp_path / 'full' / filename).read_bytes()
    assert exported == (tmp_path / 'cut' / filename).read_bytes()
    a, b = full.model.state_dict(), resumed.model.state_dict()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)


def _run_until(make_cfg, work_dir, iters, cut):
    runner = Runner(experiment_name=f'cut-{uuid.uuid4().hex}',
                    **make_cfg(str(work_dir), iters, checkpoint_interval=cut,
                               custom_hooks=[StopAfterIterHook(cut)]))
    runner.train()
    assert runner.iter == cut and (work_dir / f'iter_{cut}.pth').is_file()


def test_loop_feeds_arch_and_weight_batches_from_their_own_splits(tmp_path):
    runner = _runner(tmp_path)
    loop = runner.build_train_loop(runner._train_loop)
    train_split = loop.dataloader['train'].dataset
    val_split = loop.dataloader['val'].dataset
    assert (len(train_split), len(val_split)) == (12, 8)
    allowed = {'weights': _targets_of(train_split), 'arch': _targets_of(val_split)}
    for _ in range(4):
        batches = loop._next_batch()
        assert list(batches) == ['arch', 'weights']  # architecture step first (DARTS)
        for phase, batch in batches.items():
            assert set(_ids(batch)) <= allowed[phase]
        loop._iter += 1


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


def test_arch_begin_trains_the_weights_alone_first(tmp_path):
    runner = _runner(tmp_path, train_cfg=dict(
        type='mmmtnas.SearchLoop', max_iters=MAX_ITERS,
        schedule=dict(type='bilevel', arch_begin_iter=2)))
    loop = runner.build_train_loop(runner._train_loop)
    plans = [tuple(p for p, _ in loop.schedule.plan(i).steps) for i in range(4)]
    assert plans == [('weights', ), ('weights', ), ('arch', 'weights'), ('arch', 'weights')]
    assert loop.schedule.batches_drawn(4) == dict(train=4, val=2)
    assert loop.search_begin_iter == 2


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


def test_a_schedule_names_the_source_it_misses(tmp_path):
    cfg = search_cfg(str(tmp_path))
    cfg['train_dataloader'] = cfg['train_dataloader']['train']  # one loader: source 'train'
    runner = Runner(experiment_name=f'loop-{uuid.uuid4().hex}', **cfg)
    with pytest.raises(KeyError, match=r"BilevelSchedule needs data source\(s\) \['val'\].*"
                       r"has \['train'\]"):
        runner.build_train_loop(runner._train_loop)


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""
