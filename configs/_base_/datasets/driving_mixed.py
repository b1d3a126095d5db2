# MTNAS "mixed set" (paper §4.1): detection from BDD100K + Waymo front camera merged to 4 common
# classes; segmentation from Cityscapes + BDD100K merged to 16 classes. Every image is labelled
# for one task only. Input 320x512 (H x W). Layout of each source: docs/data_preparation.md.
#
# The paper gives the class counts (4 / 16) but not the tables; ours, and why:
#
# Detection, 4 classes. Waymo's 2D camera labels have vehicle, pedestrian and cyclist only
# (its labelling spec: motorcycles and motorcyclists are vehicles, trains/trams are not labelled,
# a cyclist box covers rider and bicycle). The paper's Fig. 5 shows traffic signs detected on
# BDD100K, so the 4th class is 'traffic sign' (its examples come from BDD100K only).
#   target        <- BDD100K (bdd100k to_coco names)        <- Waymo (COCO names of Label.Type)
#   vehicle       <- car, truck, bus, motorcycle             <- vehicle
#   pedestrian    <- pedestrian                              <- pedestrian
#   cyclist       <- rider (its box; BDD boxes the bicycle   <- cyclist
#                    apart, and that box is dropped)
#   traffic sign  <- traffic sign                            <- sign (not in Waymo 2D labels)
#   (dropped)     <- train, bicycle, traffic light
#
# Segmentation, 16 classes. Cityscapes and BDD100K share the same 19 trainIds, so "merging to
# 16" must merge classes; we merge the four that Waymo's definition (and the detection table
# above) calls 'vehicle': car, truck, bus, motorcycle -> vehicle. 19 - 4 + 1 = 16.
#
# The tables are applied by mmmtnas.ClassMergeDataset when samples are read; the files are used
# as the sources ship them.

data_root = 'data/'
cityscapes_root = data_root + 'cityscapes/'
bdd100k_root = data_root + 'bdd100k/'
waymo_root = data_root + 'waymo/'

det_classes = ('vehicle', 'pedestrian', 'cyclist', 'traffic sign')
# Cityscapes colours; set here because ConcatDataset wants equal metainfo from both sources.
det_palette = [(0, 0, 142), (220, 20, 60), (119, 11, 32), (220, 220, 0)]
seg_classes = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light',
               'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'vehicle',
               'train', 'bicycle')

bdd100k_det_classes = ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
                       'bicycle', 'traffic light', 'traffic sign')
waymo_det_classes = ('vehicle', 'pedestrian', 'sign', 'cyclist')
bdd100k_det_map = {
    'pedestrian': 'pedestrian', 'rider': 'cyclist', 'car': 'vehicle', 'truck': 'vehicle',
    'bus': 'vehicle', 'train': None, 'motorcycle': 'vehicle', 'bicycle': None,
    'traffic light': None, 'traffic sign': 'traffic sign'}
waymo_det_map = {
    'vehicle': 'vehicle', 'pedestrian': 'pedestrian', 'sign': 'traffic sign',
    'cyclist': 'cyclist'}
# Cityscapes trainIds and BDD100K sem_seg use the same 19 classes (mmseg's METAINFO order).
seg_map = {
    'road': 'road', 'sidewalk': 'sidewalk', 'building': 'building', 'wall': 'wall',
    'fence': 'fence', 'pole': 'pole', 'traffic light': 'traffic light',
    'traffic sign': 'traffic sign', 'vegetation': 'vegetation', 'terrain': 'terrain',
    'sky': 'sky', 'person': 'person', 'rider': 'rider', 'car': 'vehicle', 'truck': 'vehicle',
    'bus': 'vehicle', 'train': 'train', 'motorcycle': 'vehicle', 'bicycle': 'bicycle'}

img_scale = (512, 320)  # (W, H), mmcv convention
crop_size = (320, 512)  # (H, W), mmseg convention

# Detection: SSD augmentation (photometric, zoom-out, IoU crop), then the fixed input size.
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
# Ground truth is loaded after Resize, so boxes stay in original pixels (predictions are rescaled
# back to the original image), as in mmdet's VOC configs.
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
# Labels at full resolution after Resize, so mIoU is measured on the original maps.
seg_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmmtnas.CheckSegLabels', num_classes=len(seg_classes)),
    dict(type='mmseg.PackSegInputs'),
]


def _det_sources(split, pipeline, test_mode):
    return [
        dict(type='mmmtnas.ClassMergeDataset',
             dataset=dict(type='mmdet.CocoDataset', data_root=bdd100k_root,
                          ann_file=f'labels/det_20/det_{split}_coco.json',
                          data_prefix=dict(img=f'images/100k/{split}/'),
                          metainfo=dict(classes=bdd100k_det_classes), test_mode=test_mode,
                          filter_cfg=None if test_mode else dict(filter_empty_gt=False)),
             class_map=bdd100k_det_map, classes=det_classes, palette=det_palette,
             pipeline=pipeline),
        dict(type='mmmtnas.ClassMergeDataset',
             dataset=dict(type='mmdet.CocoDataset', data_root=waymo_root,
                          ann_file=f'annotations/front_{split}.json',
                          data_prefix=dict(img=f'images/{split}/'),
                          metainfo=dict(classes=waymo_det_classes), test_mode=test_mode,
                          filter_cfg=None if test_mode else dict(filter_empty_gt=False)),
             class_map=waymo_det_map, classes=det_classes, palette=det_palette,
             pipeline=pipeline),
    ]


def _seg_sources(split, pipeline, test_mode):
    return [
        dict(type='mmmtnas.ClassMergeDataset',
             dataset=dict(type='mmseg.CityscapesDataset', data_root=cityscapes_root,
                          data_prefix=dict(img_path=f'leftImg8bit/{split}',
                                           seg_map_path=f'gtFine/{split}'),
                          test_mode=test_mode),
             class_map=seg_map, classes=seg_classes, pipeline=pipeline),
        dict(type='mmmtnas.ClassMergeDataset',
             dataset=dict(type='mmseg.BDD100KDataset', data_root=bdd100k_root,
                          data_prefix=dict(img_path=f'images/10k/{split}',
                                           seg_map_path=f'labels/sem_seg/masks/{split}'),
                          test_mode=test_mode),
             class_map=seg_map, classes=seg_classes, pipeline=pipeline),
    ]


# The re-division (paper §4.1): per task, every image of both sources' train and val folders
# is pooled and divided at random into train / val / test; split files under
# <data_root>/splits/ list each split's images (tools/dataset_converters/split_mixed_set.py
# writes them, seeded, with these sizes: paper's detection 120k / 2k / 10k, segmentation
# 10k / 500 / 1.5k).
split_dir = 'splits/'
split_sizes = dict(det=dict(train=120000, val=2000, test=10000),
                   seg=dict(train=10000, val=500, test=1500))


def _split(task, split, sources):
    """The images of split file <split_dir><task>_<split>.txt, from the pool of ``sources``."""
    train = split == 'train'
    pipeline = (det_train_pipeline if train else det_test_pipeline) if task == 'det' else (
        seg_train_pipeline if train else seg_test_pipeline)
    pool = [d for folder in ('train', 'val') for d in sources(folder, pipeline, not train)]
    return dict(type='mmmtnas.SplitFileDataset', data_root=data_root,
                split_file=f'{split_dir}{task}_{split}.txt',
                dataset=dict(type='ConcatDataset', datasets=pool))


def _loaders(split, batch_size, workers, sampler):
    loader = dict(batch_size=batch_size, num_workers=workers, persistent_workers=workers > 0,
                  sampler=sampler, **({} if split == 'train' else dict(drop_last=False)))
    return dict(det=dict(loader, dataset=_split('det', split, _det_sources)),
                seg=dict(loader, dataset=_split('seg', split, _seg_sources)))


train_dataloader = _loaders('train', 32, 4, dict(type='InfiniteSampler', shuffle=True))
val_dataloader = _loaders('val', 8, 2, dict(type='DefaultSampler', shuffle=False))
test_dataloader = _loaders('test', 8, 2, dict(type='DefaultSampler', shuffle=False))

# mAP@0.5 (the paper's metric). CocoMetric is not used: the two sources' image ids overlap
# once concatenated, and it needs one annotation file.
val_evaluator = dict(
    det=dict(type='mmdet.VOCMetric', iou_thrs=0.5, eval_mode='area'),
    seg=dict(type='mmseg.IoUMetric', iou_metrics=['mIoU']))
test_evaluator = val_evaluator
