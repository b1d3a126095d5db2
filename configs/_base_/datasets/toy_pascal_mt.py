# Toy PASCAL-Context multi-task data written by
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16 \
#       --seed 0 --size 64 64
# Same layout, loader and transforms as pascal_mt.py; 64x64 images, 48x48 crops.
_base_ = ['./pascal_mt.py']

data_root = 'data/toy_dense/PASCAL_MT'
crop_size = (48, 48)
train_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale', scales=(0.75, 1.0, 1.25)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=crop_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DensePad', size=(64, 64), center=True),
    dict(type='mmmtnas.PackDenseInputs'),
]
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
