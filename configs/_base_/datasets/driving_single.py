# MTNAS "single set" (paper §4.1): KITTI 2D detection (car, pedestrian, cyclist) and Cityscapes
# segmentation (19 classes), each image labelled for one task. Input 320x512 (H x W).
# Layout: docs/data_preparation.md. KITTI has no public val labels: we split its training
# folder by ImageSets/{train,val}.txt (e.g. the 3DOP split used by MMDetection3D).
#
# KITTI types (mmmtnas.Kitti2DDataset defaults): Car/Pedestrian/Cyclist -> car/pedestrian/
# cyclist; Van and Person_sitting are ignored boxes of car / pedestrian (KITTI's evaluation
# neither rewards nor penalises them); DontCare regions are ignored for every class. Truck,
# Tram and Misc are dropped because kitti_drop_types lists them (the loader counts them in the
# log; any other unmapped type is an error). Cityscapes goes through mmmtnas.ClassMergeDataset
# with no class table: it only checks the data root and runs the pipeline.

data_root = 'data/'
kitti_root = data_root + 'kitti/'
cityscapes_root = data_root + 'cityscapes/'
kitti_drop_types = ('Truck', 'Tram', 'Misc')

det_classes = ('car', 'pedestrian', 'cyclist')
seg_classes = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light',
               'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car',
               'truck', 'bus', 'train', 'motorcycle', 'bicycle')

img_scale = (512, 320)  # (W, H)
crop_size = (320, 512)  # (H, W)

det_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.PhotoMetricDistortion'),
    dict(type='mmdet.Expand', mean=[123.675, 116.28, 103.53], to_rgb=True, ratio_range=(1, 2)),
    dict(type='mmdet.MinIoURandomCrop', min_ious=(0.1, 0.3, 0.5, 0.7, 0.9), min_crop_size=0.3),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmdet.RandomFlip', prob=0.5),
    dict(type='mmdet.PackDetInputs'),
]
det_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmdet.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
    dict(type='mmdet.PackDetInputs',
         meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
seg_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmmtnas.CheckSegLabels', num_classes=len(seg_classes)),
    dict(type='mmseg.RandomResize', scale=img_scale, ratio_range=(1.0, 1.5), keep_ratio=False),
    dict(type='mmseg.RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PhotoMetricDistortion'),
    dict(type='mmseg.PackSegInputs'),
]
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmmtnas.CheckSegLabels', num_classes=len(seg_classes)),
    dict(type='mmseg.PackSegInputs'),
]

train_dataloader = dict(
    det=dict(
        batch_size=32,
        num_workers=4,
        persistent_workers=True,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(type='mmmtnas.Kitti2DDataset', data_root=kitti_root,
                     ann_file='ImageSets/train.txt',
                     data_prefix=dict(img='training/image_2', ann='training/label_2'),
                     drop_types=kitti_drop_types,
                     filter_cfg=dict(filter_empty_gt=False), pipeline=det_train_pipeline)),
    seg=dict(
        batch_size=32,
        num_workers=4,
        persistent_workers=True,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(type='mmmtnas.ClassMergeDataset',
                     dataset=dict(type='mmseg.CityscapesDataset', data_root=cityscapes_root,
                                  data_prefix=dict(img_path='leftImg8bit/train',
                                                   seg_map_path='gtFine/train')),
                     pipeline=seg_train_pipeline)))
val_dataloader = dict(
    det=dict(
        batch_size=8,
        num_workers=2,
        persistent_workers=True,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='mmmtnas.Kitti2DDataset', data_root=kitti_root,
                     ann_file='ImageSets/val.txt',
                     data_prefix=dict(img='training/image_2', ann='training/label_2'),
                     drop_types=kitti_drop_types,
                     test_mode=True, pipeline=det_test_pipeline)),
    seg=dict(
        batch_size=8,
        num_workers=2,
        persistent_workers=True,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='mmmtnas.ClassMergeDataset',
                     dataset=dict(type='mmseg.CityscapesDataset', data_root=cityscapes_root,
                                  data_prefix=dict(img_path='leftImg8bit/val',
                                                   seg_map_path='gtFine/val'),
                                  test_mode=True),
                     pipeline=seg_test_pipeline)))
test_dataloader = val_dataloader

# mAP@0.5 for all three classes (the paper does not state the IoU threshold of its KITTI AP;
# we use 0.5, as for the mixed set, rather than KITTI's official 0.7 for cars).
val_evaluator = dict(
    det=dict(type='mmdet.VOCMetric', iou_thrs=0.5, eval_mode='area'),
    seg=dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']))
test_evaluator = val_evaluator
