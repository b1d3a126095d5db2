# NYUD-v2 multi-task split (795 train / 654 val), ASTMT's NYUD_MT layout
# (see docs/data_preparation.md). Same augmentation as PASCAL-Context (BMTAS App. A) with
# 425x560 crops, the size of NYUD_MT's images (the NYUD-v2 frames without their white border):
# BMTAS trains and tests "on the full-resolution images", and Table 2's MAdds are those of the
# networks at 425x560 (docs/bmtas_paper_table.md); depth is divided by the scale factor.
# Validation pads to 425x560 with the image centred (BMTAS authors).
dataset_type = 'mmmtnas.NYUDMTDataset'
data_root = 'data/NYUD_MT'
nyud_tasks_loaded = ('semseg', 'depth', 'normals', 'edge')
crop_size = (425, 560)

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
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 tasks=nyud_tasks_loaded, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='val',
                 tasks=nyud_tasks_loaded, pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
