# MTNAS multi-task finetuning: the derived network (every part a fixed DARTS network built from
# S2b's genotype file: no architecture parameters, no mixed ops), trained with det:seg = 1:1,
# one task's batch per iteration (round-robin). Also the config the test stage uses
# (test_dataloader / test_evaluator: det/mAP with VOCMetric, seg/mIoU with IoUMetric).
_base_ = ['../../_base_/datasets/driving_toy.py', '../../_base_/default_runtime.py',
          './parts.py']
max_iters = 600
model = {{_base_.derived_model}}
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=3e-5),
    clip_grad=dict(max_norm=10.))
# as the toy MTL baseline: linear warm-up, then cosine to 0
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='CosineAnnealingLR', T_max=max_iters - 50, eta_min=0., by_epoch=False, begin=50,
         end=max_iters)
]
train_cfg = dict(type='mmmtnas.AlternatingTaskTrainLoop', max_iters=max_iters,
                 schedule='round_robin', val_interval=10**9)
val_cfg = None
val_dataloader = None
val_evaluator = None
test_cfg = dict(type='mmmtnas.MultiTaskTestLoop')
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters, max_keep_ckpts=1))
log_processor = dict(window_size=20)
