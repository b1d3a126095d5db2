"""MultiTaskValLoop / MultiTaskTestLoop: each task's metric gets its own classes and data."""
import pytest
import torch
import torch.nn as nn
from mmdet.structures import DetDataSample
from mmengine.model import BaseModel
from mmengine.runner import Runner
from mmengine.structures import InstanceData, PixelData
from mmseg.structures import SegDataSample
from torch.utils.data import DataLoader, Dataset

from mmmtnas.engine.loops import MultiTaskTestLoop, MultiTaskValLoop
from mmmtnas.engine.loops.multi_task_val_loop import task_metric_names

DET_CLASSES = ('car', 'person', 'sign')
SEG_CLASSES = ('road', 'sky', 'building', 'tree', 'car')


class _Packed(Dataset):
    """Already packed samples, as a pipeline ending in PackDetInputs/PackSegInputs gives."""

    def __init__(self, kind, n, classes):
        self.kind, self.n = kind, n
        self.metainfo = dict(classes=classes)

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        meta = dict(img_id=i, img_shape=(8, 8), ori_shape=(8, 8), scale_factor=(1., 1.))
        if self.kind == 'det':
            s = DetDataSample(metainfo=meta)
            s.gt_instances = InstanceData(bboxes=torch.tensor([[1., 1., 5., 5.]]),
                                          labels=torch.tensor([i % 3]))
            s.ignored_instances = InstanceData(bboxes=torch.zeros(0, 4),
                                               labels=torch.zeros(0, dtype=torch.long))
        else:
            s = SegDataSample(metainfo=meta)
            seg = torch.zeros(1, 8, 8, dtype=torch.long)
            seg[..., 4:] = 1  # left half 'road', right half 'sky'
            s.gt_sem_seg = PixelData(data=seg)
        return dict(inputs=torch.zeros(3, 8, 8), data_samples=s)


class _Oracle(BaseModel):
    """Predicts the ground-truth boxes exactly and 'road' everywhere."""

    tasks = ('det', 'seg')

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(1, 1)
        self.calls = []

    def check_dataset_meta(self, task, metainfo, name=''):
        pass

    def forward(self, inputs, data_samples=None, mode='predict'):
        self.calls.append(type(data_samples[0]).__name__)
        for s in data_samples:
            if 'gt_instances' in s:
                gt = s.gt_instances
                s.pred_instances = InstanceData(bboxes=gt.bboxes, labels=gt.labels,
                                                scores=torch.ones(len(gt.labels)))
            s.pred_sem_seg = PixelData(data=torch.zeros(1, 8, 8, dtype=torch.long))
        return data_samples


def _collate(batch):
    return dict(inputs=[b['inputs'] for b in batch], data_samples=[b['data_samples'] for b in batch])


def _loaders():
    return dict(
        det=DataLoader(_Packed('det', 6, DET_CLASSES), batch_size=4, collate_fn=_collate),
        seg=DataLoader(_Packed('seg', 3, SEG_CLASSES), batch_size=2, collate_fn=_collate))


def _evaluators():
    return dict(det=dict(type='mmdet.VOCMetric', iou_thrs=0.5),
                seg=[dict(type='mmseg.IoUMetric', iou_metrics=['mIoU'])])


def _runner(tmp_path, **kwargs):
    cfg = dict(model=_Oracle(), work_dir=str(tmp_path), default_scope='mmmtnas',
               experiment_name=f'mtval_{tmp_path.name}')
    cfg.update(kwargs)
    return Runner(**cfg)


def test_each_task_metric_gets_its_own_classes_and_metrics_are_task_prefixed(tmp_path):
    runner = _runner(tmp_path, val_dataloader=_loaders(), val_evaluator=_evaluators(),
                     val_cfg=dict(type='mmmtnas.MultiTaskValLoop'))
    metrics = runner.val()
    loop = runner.val_loop
    assert isinstance(loop, MultiTaskValLoop)
    assert loop.evaluator['det'].metrics[0].dataset_meta['classes'] == DET_CLASSES
    assert loop.evaluator['seg'].metrics[0].dataset_meta['classes'] == SEG_CLASSES
    # 2 det batches then 2 seg batches, each through its own evaluator
    assert runner.model.calls == ['DetDataSample'] * 2 + ['SegDataSample'] * 2
    assert metrics['det/mAP'] == pytest.approx(1.0)  # exact boxes: AP 1 for each class
    # seg: 'road' IoU = 32 / 64 = 50 %, 'sky' IoU = 0; the 3 absent classes are NaN, skipped
    assert metrics['seg/mIoU'] == pytest.approx(25.0)
    assert metrics['seg/aAcc'] == pytest.approx(50.0)
    assert all(k.split('/')[0] in ('det', 'seg') for k in metrics)


def test_test_loop_reports_the_same_way(tmp_path):
    runner = _runner(tmp_path, test_dataloader=_loaders(), test_evaluator=_evaluators(),
                     test_cfg=dict(type='mmmtnas.MultiTaskTestLoop'))
    metrics = runner.test()
    assert isinstance(runner.test_loop, MultiTaskTestLoop)
    assert {'det/mAP', 'seg/mIoU'} <= set(metrics)


def test_metric_prefixes_are_dropped_unless_two_metrics_would_collide():
    assert task_metric_names('det', {'pascal_voc/mAP': 1, 'pascal_voc/AP50': 2}) == {
        'det/mAP': 1, 'det/AP50': 2}
    assert task_metric_names('det', {'pascal_voc/mAP': 1, 'coco/mAP': 2, 'aAcc': 3}) == {
        'det/pascal_voc/mAP': 1, 'det/coco/mAP': 2, 'det/aAcc': 3}


def test_evaluator_without_a_task_of_the_dataloaders_raises_one_line(tmp_path):
    runner = _runner(tmp_path, val_dataloader=_loaders(), val_evaluator=dict(det=_evaluators()['det']),
                     val_cfg=dict(type='mmmtnas.MultiTaskValLoop'))
    with pytest.raises(ValueError, match=r"val_evaluator has no metric for task\(s\) \['seg'\]"):
        runner.val()
