# Toy BMTAS retraining: the branched network that configs/bmtas/toy_mnv2_search.py exported
# (work_dirs/toy_mnv2_search/branches.yaml), trained from scratch on the toy data with the lr of
# every shared block divided by the number of tasks sharing it (App. A).
#   python tools/train.py configs/bmtas/toy_mnv2_retrain.py
#   python tools/test.py configs/bmtas/toy_mnv2_retrain.py work_dirs/toy_mnv2_retrain/iter_200.pth
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/default_runtime.py'
]
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

search_tasks = ('semseg', 'sal')
branch_file = 'work_dirs/toy_mnv2_search/branches.yaml'
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=dict(
        type='mmmtnas.BranchedNetwork',
        branches=branch_file,
        backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=0.25, norm_cfg=norm_cfg),
        context=dict(type='mmmtnas.EncoderRASPP', channels=32, norm_cfg=norm_cfg)),
    heads=dict(semseg={{_base_.task_semseg.head}}, sal={{_base_.task_sal.head}}),
    task_weights=dict(semseg={{_base_.task_semseg.weight}}, sal={{_base_.task_sal.weight}}),
    head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8, norm_cfg=norm_cfg,
                       act_cfg=dict(type='ReLU6')))

train_dataloader = dict(dataset=dict(tasks=search_tasks))
val_dataloader = dict(dataset=dict(tasks=search_tasks))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics=[{{_base_.task_semseg.metric}}, {{_base_.task_sal.metric}}],
    keys=None)
test_evaluator = val_evaluator

max_iters = 200
optim_wrapper = dict(
    constructor='mmmtnas.SharedBlockLRConstructor',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters,
                    max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
