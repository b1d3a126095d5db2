# MTNAS multi-task finetuning: the derived network (every part a fixed DARTS network built from
# S2b's genotype file: no architecture parameters, no mixed ops), trained with det:seg = 1:1,
# one task's batch per iteration (round-robin). Also the config the test stage uses
# (test_dataloader / test_evaluator: det/mAP with VOCMetric, seg/mIoU with IoUMetric).
_base_ = ['../../_base_/datasets/driving_mixed.py', '../../_base_/default_runtime.py',
          './search_space.py']
max_iters = 150000
model = _base_.derived_model
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=3e-5))  # as the MTL baseline
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0., by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(type='mmmtnas.AlternatingTaskTrainLoop', max_iters=max_iters,
                 schedule='round_robin', val_interval=10**9)
val_cfg = val_dataloader = val_evaluator = None
test_cfg = dict(type='mmmtnas.MultiTaskTestLoop')
# Multi-GPU runs normalise over the global batch; CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
