# The toy PASCAL-Context multi-task data's pipelines and loader settings under toy_* names, so
# that a config whose bases already hold a full-size dataset (pascal_mt.py's keys) can take them
# next to it (mmengine forbids a key in two bases): toy_pascal_mt.py and the BMTAS toy stage
# configs (../../bmtas/_base_/toy_two_tasks.py). Same loader and transforms as pascal_mt.py;
# 64x64 images, 48x48 crops. The loaders hold only what differs from pascal_mt.py's.
toy_data_root = 'data/toy_dense/PASCAL_MT'
toy_crop_size = (48, 48)
toy_train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale', scales=(0.75, 1.0, 1.25)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=toy_crop_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
toy_test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DensePad', size=(64, 64), center=True),
    dict(type='mmmtnas.PackDenseInputs'),
]
toy_train_loader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=toy_data_root, pipeline=toy_train_pipeline))
toy_val_loader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=toy_data_root, pipeline=toy_test_pipeline))
