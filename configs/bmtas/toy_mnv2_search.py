# Toy BMTAS search: semantic segmentation + saliency on the generated PASCAL-Context-layout data,
# a thin MobileNetV2 (widen 0.25) + R-ASPP supernet at 48x48 crops; a few minutes on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
#   python tools/train.py configs/bmtas/toy_mnv2_search.py     # -> work_dirs/toy_mnv2_search/
#                                                              #    branches.yaml (+ .png)
#   python tools/train.py configs/bmtas/toy_mnv2_retrain.py    # retrain the derived network
# Larger `resource_weight` (lambda, per MMAdd here) gives a cheaper derived encoder.
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/default_runtime.py'
]
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

search_tasks = ('semseg', 'sal')
norm_cfg = dict(type='BN', requires_grad=True)
mnv2_backbone = dict(type='mmpretrain.MobileNetV2', widen_factor=0.25, norm_cfg=norm_cfg)
raspp = dict(type='mmmtnas.EncoderRASPP', channels=32, norm_cfg=norm_cfg)
dense_model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=dict(type='mmmtnas.BranchedSupernet', backbone=mnv2_backbone, context=raspp),
    heads=dict(semseg={{_base_.task_semseg.head}}, sal={{_base_.task_sal.head}}),
    task_weights=dict(semseg={{_base_.task_semseg.weight}}, sal={{_base_.task_sal.weight}}),
    head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8, norm_cfg=norm_cfg,
                       act_cfg=dict(type='ReLU6')))
model = dict(
    type='mmmtnas.BMTASSearch',
    model=dense_model,
    resource_weight=0.05,
    resource_loss=dict(type='mmmtnas.ResourceLoss', mode='exact'),
    cost_input_size=(48, 48),  # the crop size the search runs at
    cost_unit=1e6)  # lambda per MMAdd

# One training split; the loop cuts it 20% (architecture) / 80% (weights).
train_dataloader = dict(
    batch_size=4,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(tasks=search_tasks))
val_dataloader = None
val_evaluator = None
val_cfg = None
test_dataloader = None
test_evaluator = None
test_cfg = None

train_cfg = dict(
    type='mmmtnas.BMTASSearchLoop',
    warmup_iters=30,
    max_arch_iters=40,
    arch_fraction=0.2)
optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4)),
    arch=dict(optimizer=dict(type='Adam', lr=0.01, weight_decay=5e-5)))
param_scheduler = dict(
    weights=[dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False)], arch=[])
custom_hooks = [
    dict(type='mmmtnas.GumbelTemperatureHook', start=5.0, end=0.1),
    dict(type='mmmtnas.BranchExportHook', out_file='branches.yaml'),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=100, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
# Distributed runs (tools/dist_train.sh): the algorithm steps two optimisers itself, and the
# warm-up leaves every task's other copies unused.
model_wrapper_cfg = dict(
    type='mmmtnas.BilevelDistributedDataParallel', find_unused_parameters=True)
