# PASCAL-Context multi-task split (4998 train / 5105 val), ASTMT's PASCAL_MT layout
# (see docs/data_preparation.md). Augmentation per BMTAS App. A: random scale 0.5-2.0 in 0.25
# steps, pad + random crop to 512x512, horizontal flip (normals' x negated); intensities go to
# [-1, 1] in the model's data preprocessor. Validation pads to 512x512 (all images are <= 500 px)
# with the image centred, as the BMTAS authors do, and predictions are cropped back to it.
dataset_type = 'mmmtnas.PascalContextMTDataset'
data_root = 'data/PASCAL_MT'
pascal_tasks_loaded = ('semseg', 'human_parts', 'sal', 'normals', 'edge')
crop_size = (512, 512)

train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale', scales=(0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=crop_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DensePad', size=crop_size, center=True),
    dict(type='mmmtnas.PackDenseInputs'),
]
train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 tasks=pascal_tasks_loaded, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val',
                 tasks=pascal_tasks_loaded, pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
