# Toy "Shared" run: the five PASCAL-Context tasks on the generated toy data with a thin
# MobileNetV2 (widen 0.25) + R-ASPP, 48x48 crops; a few minutes on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/bmtas/toy_mnv2_pascal_single.py   # writes the Δm baseline
#   python tools/train.py configs/bmtas/toy_mnv2_pascal_shared.py
#   python tools/test.py configs/bmtas/toy_mnv2_pascal_shared.py work_dirs/toy_mnv2_pascal_shared/iter_150.pth
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/dense_mnv2_raspp.py'
]
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

norm_cfg = dict(type='BN', requires_grad=True)
mnv2_encoder = dict(
    type='mmmtnas.SharedEncoder',
    backbone=dict(
        type='mmseg.MobileNetV2',
        widen_factor=0.25,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(1, 6),  # 8 ch at stride 4, 80 ch at stride 16
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU6')),
    low_level_index=0,
    high_level_index=1,
    context=dict(type='mmmtnas.EncoderRASPP', in_channels=80, channels=32, norm_cfg=norm_cfg))
model = dict(
    encoder=mnv2_encoder,
    heads={{_base_.task_heads}},
    task_weights={{_base_.task_weights}},
    head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8))

single_metrics_file = 'work_dirs/toy_mnv2_pascal_single/single_metrics.json'
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics={{_base_.task_metrics}},
    keys={{_base_.delta_keys}},
    lower_is_better={{_base_.lower_is_better}},
    baseline=single_metrics_file)
test_evaluator = val_evaluator

# The schedule of mnv2_pascal_mt_shared.py, shortened (a higher lr for the few iterations).
max_iters = 150
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=max_iters,
                    max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'))
log_processor = dict(by_epoch=False)
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
randomness = dict(seed=0)
log_level = 'INFO'
load_from = None
resume = False
