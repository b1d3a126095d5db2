# Toy PASCAL-Context multi-task data written by
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16 \
#       --seed 0 --size 64 64
# pascal_mt.py with the toy data's loaders (./toy_pascal_mt_loaders.py): 64x64 images, 48x48
# crops.
_base_ = ['./pascal_mt.py', './toy_pascal_mt_loaders.py']

data_root = _base_.toy_data_root
crop_size = _base_.toy_crop_size
train_pipeline = _base_.toy_train_pipeline
test_pipeline = _base_.toy_test_pipeline
train_dataloader = _base_.toy_train_loader
val_dataloader = _base_.toy_val_loader
test_dataloader = val_dataloader
