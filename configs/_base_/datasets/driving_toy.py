# The toy driving set (tools/dataset_converters/make_toy_driving.py, default 128x256 images)
# read exactly like the mixed set (driving_mixed.py): detection from the BDD100K + Waymo
# COCO-style files merged to 4 classes, segmentation from Cityscapes + BDD100K merged to 16,
# through the same class tables. Input 128x256 and light augmentation, so that a toy model trains
# on 2 CPU cores in minutes. The re-division's split files (toy sizes below) are written with the
# data (make_toy_driving). Write the data with `make demo` or
#   python tools/dataset_converters/make_toy_driving.py --out data/toy_driving
_base_ = ['./driving_mixed.py']

data_root = 'data/toy_driving/'
cityscapes_root = data_root + 'cityscapes/'
bdd100k_root = data_root + 'bdd100k/'
waymo_root = data_root + 'waymo/'

det_classes = {{_base_.det_classes}}
det_palette = {{_base_.det_palette}}
seg_classes = {{_base_.seg_classes}}
bdd100k_det_classes = {{_base_.bdd100k_det_classes}}
waymo_det_classes = {{_base_.waymo_det_classes}}
bdd100k_det_map = {{_base_.bdd100k_det_map}}
waymo_det_map = {{_base_.waymo_det_map}}
seg_map = {{_base_.seg_map}}

img_scale = (256, 128)  # (W, H)
crop_size = (128, 256)  # (H, W)

det_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmdet.LoadAnnotations', with_bbox=True),
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
    dict(type='mmseg.Resize', scale=img_scale, keep_ratio=False),
    dict(type='mmseg.RandomFlip', prob=0.5),
    dict(type='mmseg.PackSegInputs'),
]
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


split_sizes = dict(det=dict(train=64, val=8, test=8), seg=dict(train=64, val=8, test=8))


def _pool(sources, pipeline, test_mode):
    """The re-divided split's pool (driving_mixed.py): both folders of both sources."""
    datasets = [d for folder in ('train', 'val') for d in sources(folder, pipeline, test_mode)]
    return dict(data_root=data_root, dataset=dict(datasets=datasets))


# 2 CPU cores: load in the main process.
_loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    det=dict(batch_size=8, **_loader, dataset=_pool(_det_sources, det_train_pipeline, False)),
    seg=dict(batch_size=8, **_loader, dataset=_pool(_seg_sources, seg_train_pipeline, False)))
val_dataloader = dict(
    det=dict(batch_size=4, **_loader, dataset=_pool(_det_sources, det_test_pipeline, True)),
    seg=dict(batch_size=4, **_loader, dataset=_pool(_seg_sources, seg_test_pipeline, True)))
test_dataloader = val_dataloader  # merged into the base's: its split files stay the test ones
