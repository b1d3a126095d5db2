# BMTAS search on NYUD-v2, four tasks, ResNet-50 + ASPP (Table 2). Same setup as
# configs/bmtas/mnv2_pascal_mt.py with half the iterations (App. A): 1000 warm-up iterations,
# ~4.8k alpha updates in alternating 20% / 80% passes (about 25000 iterations in all, as
# reported), batch 8 for ResNet-50, images at 2/3 resolution (320x426 crops). The supergraph has
# 17 layers (16 bottlenecks, output stride 16 by dilating the last stage, + ASPP).
#   python tools/train.py configs/bmtas/r50_nyud_mt.py
#   python tools/train.py configs/bmtas/r50_nyud_mt_retrain.py
_base_ = [
    '../_base_/datasets/nyud_mt.py', '../_base_/tasks/nyud_mt.py',
    '../_base_/default_runtime.py'
]
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
# ImageNet initialisation of every copy: a local MMPretrain ResNet-50 checkpoint.
pretrained = None
r50_backbone = dict(type='mmpretrain.ResNet', depth=50, norm_cfg=norm_cfg)
aspp = dict(type='mmmtnas.EncoderASPP', channels=256, dilations=(1, 6, 12, 18),
            norm_cfg=norm_cfg)
head_defaults = dict(in_channels=(256, 256), channels=256, c1_channels=48, separable=False,
                     norm_cfg=norm_cfg)
search_size = (320, 426)
model = dict(
    type='mmmtnas.BMTASSearch',
    model=dict(
        type='mmmtnas.DenseMultiTaskModel',
        data_preprocessor=dict(
            type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
        encoder=dict(type='mmmtnas.BranchedSupernet', backbone=r50_backbone, context=aspp,
                     output_stride=16, last_bn_affine=False, pretrained=pretrained),
        heads={{_base_.task_heads}},
        task_weights={{_base_.task_weights}},
        head_defaults=head_defaults),
    resource_weight=0.005,
    resource_loss=dict(type='mmmtnas.ResourceLoss', mode='exact'),
    cost_input_size=search_size,
    cost_cache='work_dirs/cost_tables.json',
    cost_unit=1e9)

# 2/3 resolution: the paper's scales 0.5-2.0 applied to 2/3-size images.
search_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale',
         scales=(0.3333, 0.5, 0.6667, 0.8333, 1.0, 1.1667, 1.3333)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=search_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
train_dataloader = dict(
    batch_size=8,
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=search_pipeline))
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None

train_cfg = dict(
    type='mmmtnas.BMTASSearchLoop',
    warmup_iters=1000,
    max_arch_iters=4800,
    arch_fraction=0.2)
optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4)),
    arch=dict(optimizer=dict(type='Adam', lr=0.01, weight_decay=5e-5)))
param_scheduler = dict(
    weights=[dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False)], arch=[])
custom_hooks = [
    dict(type='mmmtnas.GumbelTemperatureHook', start=5.0, end=0.1),
    dict(type='mmmtnas.BranchExportHook', out_file='branches.yaml', interval=5000),
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2))
# Distributed runs (tools/dist_train.sh): the algorithm steps two optimisers itself, and the
# warm-up leaves every task's other copies unused.
model_wrapper_cfg = dict(
    type='mmmtnas.BilevelDistributedDataParallel', find_unused_parameters=True)
