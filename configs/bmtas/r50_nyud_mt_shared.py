# "Shared" baseline of BMTAS Table 2: ResNet-50 + ASPP encoder shared by the four NYUD-v2 tasks,
# one DeepLabv3+ decoder per task. App. A: same setup as PASCAL-Context with half the iterations
# (20k), batch 8 for ResNet-50. Δm against r50_nyud_mt_single.py's results (paper, Table 2:
# Single 40.08 / 0.5479 / 21.67 / 70.10, Shared gives -3.23).
_base_ = [
    '../_base_/datasets/nyud_mt.py', '../_base_/tasks/nyud_mt.py',
    '../_base_/models/dense_r50_aspp.py'
]
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

model = dict(heads={{_base_.task_heads}}, task_weights={{_base_.task_weights}})

single_metrics_file = 'work_dirs/r50_nyud_mt_single/single_metrics.json'
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics={{_base_.task_metrics}},
    keys={{_base_.delta_keys}},
    lower_is_better={{_base_.lower_is_better}},
    baseline=single_metrics_file)
test_evaluator = val_evaluator

max_iters = 20000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='PolyLR', eta_min=0.0, power=0.9, begin=0, end=max_iters, by_epoch=False)
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'))
log_processor = dict(by_epoch=False)
env_cfg = dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0))
randomness = dict(seed=0)
log_level = 'INFO'
load_from = None
resume = False
