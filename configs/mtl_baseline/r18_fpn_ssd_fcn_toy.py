# The MTL baseline on the toy driving set (tools/dataset_converters/make_toy_driving.py; 128x256
# images, mixed-set classes: 4 det / 16 seg), sized to train on 2 CPU cores in minutes:
# a width-reduced ResNet-18 (base 16 channels instead of 64), a 64-channel FPN, anchors scaled
# to the 128-px short side, from scratch (no weights can be downloaded), 400 iterations (200 per task).
_base_ = [
    '../_base_/models/r18_fpn_ssd_fcn.py',
    '../_base_/datasets/driving_toy.py',
    '../_base_/schedules/sgd_cosine_150k.py',
    '../_base_/default_runtime.py',
]
input_size = (128, 256)  # (H, W)
max_iters = 400
fpn_channels = 64
model = dict(
    backbone=dict(base_channels=16, init_cfg=None),
    neck=dict(in_channels=[16, 32, 64, 128], out_channels=fpn_channels),
    det_head=dict(
        num_classes=len(_base_.det_classes),
        in_channels=(fpn_channels, ) * 5,
        anchor_generator=dict(
            min_sizes=[8, 16, 38, 64, 96], max_sizes=[16, 38, 64, 96, 128])),
    seg_head=dict(
        num_classes=len(_base_.seg_classes), in_channels=fpn_channels, channels=32))
# From scratch and a short run: the paper's lr 0.01 after a linear warm-up, clipped gradients
# (lr 0.05 made the SSD loss diverge), then cosine to 0.
optim_wrapper = dict(optimizer=dict(lr=0.01, weight_decay=1e-4), clip_grad=dict(max_norm=10.))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', T_max=max_iters - 50, eta_min=0., by_epoch=False, begin=50,
         end=max_iters)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
log_processor = dict(window_size=20)
