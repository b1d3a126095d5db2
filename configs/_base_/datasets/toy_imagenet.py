# The toy ImageNet-format folder written by tools/dataset_converters/make_toy_driving.py
# (object crops of the toy scenes: car, person, street sign, road; 64x64 by default), read by
# mmpretrain's ImageNet dataset from meta/{train,val}.txt, for MTNAS S2a on CPU.
_base_ = ['./imagenet_presearch.py']

data_root = 'data/toy_driving/imagenet/'
# Order = the labels in meta/*.txt (mmmtnas.testing.toy_driving.IMAGENET_CLASSES).
cls_classes = ('car', 'person', 'street sign', 'road')
num_classes = 4
input_size = 64

cls_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=input_size, crop_ratio_range=(0.5, 1.0)),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
cls_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=input_size, edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=input_size),
    dict(type='mmpretrain.PackInputs'),
]

_loader = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    cls=dict(batch_size=16, **_loader,
             dataset=dict(dataset=dict(data_root=data_root, metainfo=dict(classes=cls_classes)),
                          pipeline=cls_train_pipeline)))
val_dataloader = dict(
    cls=dict(batch_size=16, **_loader,
             dataset=dict(dataset=dict(data_root=data_root, metainfo=dict(classes=cls_classes)),
                          pipeline=cls_test_pipeline)))
test_dataloader = val_dataloader
val_evaluator = dict(cls=dict(type='mmpretrain.Accuracy', topk=(1, )))
test_evaluator = val_evaluator
