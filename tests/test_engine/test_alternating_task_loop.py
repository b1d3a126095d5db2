"""AlternatingTaskTrainLoop: schedule, one task per iteration, resume, bad input."""
import os.path as osp
from collections import Counter

import pytest
import torch
import torch.nn as nn
from mmengine.dataset import InfiniteSampler
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import DataLoader, Dataset

from mmmtnas.engine.loops import AlternatingTaskTrainLoop, task_schedule


class _TaskDataset(Dataset):
    """Items ``(task, index)``; ``metainfo`` carries the classes the model checks."""

    def __init__(self, task, length, num_classes):
        self.task, self.length = task, length
        self.metainfo = dict(classes=tuple(f'{task}{i}' for i in range(num_classes)))

    def __len__(self):
        return self.length

    def __getitem__(self, idx):
        return dict(inputs=torch.full((2, ), float(idx)), task=self.task, index=idx)


class _RecordingModel(BaseModel):
    """Records, per training step, the tasks and item indices of its batch."""

    tasks = ('det', 'seg')

    def __init__(self, num_classes=dict(det=3, seg=5)):
        super().__init__()
        self.num_classes = num_classes
        self.lin = nn.Linear(2, 1)
        self.seen = []

    def check_dataset_meta(self, task, metainfo, name=''):
        if self.num_classes[task] != len(metainfo['classes']):
            raise ValueError(f'{task}_head.num_classes={self.num_classes[task]} disagrees '
                             f'with {name} which has {len(metainfo["classes"])} classes')

    def forward(self, inputs, task=None, index=None, mode='tensor'):
        self.seen.append((tuple(sorted(set(task))), tuple(int(i) for i in index)))
        return {f'{task[0]}.loss': self.lin(inputs).mean()}


def _loader(task, length=7, num_classes=None, seed=0):
    num_classes = num_classes or dict(det=3, seg=5)[task]
    dataset = _TaskDataset(task, length, num_classes)
    return DataLoader(dataset, batch_size=2, sampler=InfiniteSampler(dataset, seed=seed))


def _runner(tmp_path, max_iters, loaders=None, model=None, resume=False, **loop_kwargs):
    loaders = loaders or dict(det=_loader('det'), seg=_loader('seg'))
    return Runner(
        model=model or _RecordingModel(),
        work_dir=str(tmp_path),
        train_dataloader=loaders,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(type='mmmtnas.AlternatingTaskTrainLoop', max_iters=max_iters,
                       **loop_kwargs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=4, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=100)),
        resume=resume,
        default_scope='mmmtnas',
        experiment_name=f'loop_{osp.basename(str(tmp_path))}_{max_iters}_{resume}')


def test_round_robin_alternates_tasks_in_dataloader_order():
    assert task_schedule(('det', 'seg'), 5) == ['det', 'seg', 'det', 'seg', 'det']
    assert task_schedule(('seg', 'det', 'depth'), 4) == ['seg', 'det', 'depth', 'seg']


def test_weighted_round_robin_interleaves_in_proportion():
    order = task_schedule(('det', 'seg'), 9, weights=dict(det=2, seg=1))
    assert order == ['det', 'seg', 'det'] * 3
    counts = Counter(task_schedule(('a', 'b', 'c'), 600, weights=dict(a=3, b=2, c=1)))
    assert counts == dict(a=300, b=200, c=100)


def test_random_schedule_is_seeded_and_follows_weights():
    a = task_schedule(('det', 'seg'), 2000, 'random', dict(det=3, seg=1), seed=1)
    assert a == task_schedule(('det', 'seg'), 2000, 'random', dict(det=3, seg=1), seed=1)
    assert a != task_schedule(('det', 'seg'), 2000, 'random', dict(det=3, seg=1), seed=2)
    # binomial(2000, 0.75): mean 1500, std ~19
    assert 1420 < a.count('det') < 1580


@pytest.mark.parametrize('kwargs, match', [
    (dict(schedule='zigzag'), 'unknown task schedule'),
    (dict(weights=dict(det=1, depth=1)), r"unknown task\(s\) \['depth'\]"),
    (dict(weights=dict(det=0)), 'must be > 0'),
])
def test_bad_schedule_arguments_raise_one_line(kwargs, match):
    with pytest.raises(ValueError, match=match) as err:
        task_schedule(('det', 'seg'), 4, **kwargs)
    assert '\n' not in str(err.value)


def test_each_iteration_trains_one_task_batch_and_records_it(tmp_path):
    runner = _runner(tmp_path, max_iters=6, weights=dict(det=2, seg=1))
    runner.train()
    model = runner.model
    assert isinstance(runner.train_loop, AlternatingTaskTrainLoop)
    # one task per batch, in the weighted round-robin order
    assert [tasks for tasks, _ in model.seen] == [('det', ), ('seg', ), ('det', )] * 2
    # each task's loader continues where it stopped (InfiniteSampler order, batch 2)
    det_items = [i for tasks, idx in model.seen if tasks == ('det', ) for i in idx]
    sampler = iter(InfiniteSampler(_TaskDataset('det', 7, 3), seed=0))  # never ends
    assert det_items == [next(sampler) for _ in range(8)]
    hub = runner.message_hub
    assert hub.get_info('train_task') == 'det'
    assert hub.get_info('train_task_counts') == dict(det=4, seg=2)
    assert {'train/det.loss', 'train/seg.loss'} <= set(hub.log_scalars)


def test_resume_advances_each_task_loader_by_its_own_count(tmp_path):
    full = _runner(tmp_path / 'full', max_iters=7, weights=dict(det=2, seg=1))
    full.train()
    part = _runner(tmp_path / 'part', max_iters=4, weights=dict(det=2, seg=1))
    part.train()
    assert osp.exists(tmp_path / 'part' / 'iter_4.pth')
    resumed = _runner(tmp_path / 'part', max_iters=7, resume=True, weights=dict(det=2, seg=1))
    resumed.train()
    assert resumed.model.seen == full.model.seen[4:]
    assert resumed.message_hub.get_info('train_task_counts') == Counter(
        task_schedule(('det', 'seg'), 7, weights=dict(det=2, seg=1)))


def test_dataloader_task_unknown_to_the_model_raises_one_line(tmp_path):
    loaders = dict(det=_loader('det'), depth=_loader('seg'))
    with pytest.raises(ValueError, match="train_dataloader has task 'depth'.*'det', 'seg'"):
        _runner(tmp_path, 2, loaders=loaders).train()


def test_head_classes_disagreeing_with_dataset_raise_naming_both(tmp_path):
    loaders = dict(det=_loader('det', num_classes=4), seg=_loader('seg'))
    with pytest.raises(ValueError, match=r'det_head.num_classes=3 .*train_dataloader.det.* '
                       r'4 classes') as err:
        _runner(tmp_path, 2, loaders=loaders).train()
    assert '\n' not in str(err.value)


def test_single_task_config_drops_none_dataloaders(tmp_path):
    runner = _runner(tmp_path, 3, loaders=dict(det=_loader('det'), seg=None))
    runner.train()
    assert runner.train_loop.tasks == ('det', )
    assert [t for t, _ in runner.model.seen] == [('det', )] * 3
