# Training of a fixed multi-task network (BMTAS App. A: the Single and Shared baselines and the
# retraining of a searched branched network): SGD lr 0.005 with 'poly' decay over the whole run,
# momentum 0.9, weight decay 1e-4, 40k iterations (PASCAL-Context; NYUD-v2 halves them). The
# batch size is the dataset config's.
_base_ = ['../../_base_/default_runtime.py']

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
# no `end`: the runner ends the decay with the run (train_cfg.max_iters)
param_scheduler = [dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False)]
# mmengine's iteration loop with exact resume (random augmentation, dropout)
train_cfg = dict(type='mmmtnas.IterTrainLoop', max_iters=40000, val_interval=40000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2))
