"""Tiny multi-task models and batches for the multi-task model tests (32x64 images)."""
import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData, PixelData
from mmseg.structures import SegDataSample

H, W = 32, 64
DET_CLASSES, SEG_CLASSES = 3, 5


def tiny_model_cfg(**overrides):
    """The r18_fpn_ssd_fcn layout at toy width (ResNet-18 with 4 base channels)."""
    cfg = dict(
        type='mmmtnas.DetSegMultiTaskModel',
        data_preprocessor=dict(type='mmmtnas.DetSegDataPreprocessor', mean=[128.] * 3,
                               std=[64.] * 3, pad_size_divisor=32),
        backbone=dict(type='mmdet.ResNet', depth=18, base_channels=4, out_indices=(0, 1, 2, 3),
                      norm_eval=False),
        neck=dict(type='mmdet.FPN', in_channels=[4, 8, 16, 32], out_channels=8, start_level=1,
                  add_extra_convs='on_output', num_outs=3),
        det_head=dict(
            type='mmmtnas.SSDHead', num_classes=DET_CLASSES, in_channels=(8, 8, 8),
            anchor_generator=dict(type='mmdet.SSDAnchorGenerator', scale_major=False,
                                  strides=[8, 16, 32], ratios=([2], [2], [2]),
                                  min_sizes=[6, 12, 24], max_sizes=[12, 24, 32]),
            bbox_coder=dict(type='mmdet.DeltaXYWHBBoxCoder', target_means=[0.] * 4,
                            target_stds=[0.1, 0.1, 0.2, 0.2]),
            train_cfg=dict(
                assigner=dict(type='mmdet.MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                              min_pos_iou=0., ignore_iof_thr=-1, gt_max_assign_all=False),
                sampler=dict(type='mmdet.PseudoSampler'), smoothl1_beta=1., allowed_border=-1,
                pos_weight=-1, neg_pos_ratio=3, debug=False),
            test_cfg=dict(nms_pre=100, nms=dict(type='nms', iou_threshold=0.45),
                          min_bbox_size=0, score_thr=0.0, max_per_img=20)),
        seg_head=dict(type='mmmtnas.UpsampleFCNHead', in_channels=8, in_index=0, channels=8,
                      num_upsamples=2, num_classes=SEG_CLASSES, dropout_ratio=0.,
                      loss_decode=dict(type='mmseg.CrossEntropyLoss', loss_weight=1.0)))
    cfg.update(overrides)
    return cfg


def _meta(i, h=H, w=W):
    return dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.), img_id=i,
                img_path=f'img{i}.png')


def det_sample(i, with_seg=False):
    """A DetDataSample with two boxes (and, optionally, mmdet's ``gt_sem_seg.sem_seg``)."""
    sample = DetDataSample(metainfo=_meta(i))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[4., 4., 20., 20.], [30., 8., 60., 30.]]),
        labels=torch.tensor([0, 2]))
    sample.ignored_instances = InstanceData(bboxes=torch.zeros(0, 4),
                                            labels=torch.zeros(0, dtype=torch.long))
    if with_seg:
        sample.gt_sem_seg = PixelData(sem_seg=seg_map(i).to(torch.uint8))
    return sample


def seg_map(i):
    g = torch.Generator().manual_seed(i)
    return torch.randint(0, SEG_CLASSES, (1, H, W), generator=g)


def seg_sample(i):
    sample = SegDataSample(metainfo=_meta(i))
    sample.gt_sem_seg = PixelData(data=seg_map(i))
    return sample


def images(n, seed=0):
    g = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (3, H, W), generator=g, dtype=torch.uint8) for _ in range(n)]
