# ImageNet-1k in mmpretrain's folder layout, for MTNAS S2a (backbone pre-search with an
# auxiliary classification head; paper §3.2). Dict-by-task form with the one task 'cls'.
# Layout: data/imagenet/{train,val}/<wnid>/*.JPEG (+ optional meta/{train,val}.txt); see
# docs/data_preparation.md. ClassMergeDataset without a class table only checks the data root.
data_root = 'data/imagenet/'
cls_classes = None  # mmpretrain's ImageNet METAINFO: the 1000 ILSVRC-2012 classes
num_classes = 1000
input_size = 224

cls_train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.RandomResizedCrop', scale=input_size),
    dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='mmpretrain.PackInputs'),
]
cls_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='mmpretrain.ResizeEdge', scale=int(input_size * 256 / 224), edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=input_size),
    dict(type='mmpretrain.PackInputs'),
]

train_dataloader = dict(
    cls=dict(
        batch_size=32,
        num_workers=4,
        persistent_workers=True,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(type='mmmtnas.ClassMergeDataset',
                     dataset=dict(type='mmpretrain.ImageNet', data_root=data_root,
                                  split='train'),
                     pipeline=cls_train_pipeline)))
val_dataloader = dict(
    cls=dict(
        batch_size=32,
        num_workers=4,
        persistent_workers=True,
        drop_last=False,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='mmmtnas.ClassMergeDataset',
                     dataset=dict(type='mmpretrain.ImageNet', data_root=data_root,
                                  split='val', test_mode=True),
                     pipeline=cls_test_pipeline)))
test_dataloader = val_dataloader
val_evaluator = dict(cls=dict(type='mmpretrain.Accuracy', topk=(1, 5)))
test_evaluator = val_evaluator
