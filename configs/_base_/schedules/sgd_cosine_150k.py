# MTNAS §4.2 "MTL Baseline": SGD, initial lr 0.01 decreased by a cosine policy, momentum 0.9,
# weight decay 3e-5, 150k iterations (batch 32 is set by the dataloaders). One task's batch per
# iteration (round-robin det/seg), so each task sees 75k batches.
max_iters = 150000
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=3e-5))
# The paper says "linear cosine"; plain cosine annealing to 0 is used here.
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0., by_epoch=False, begin=0,
         end=max_iters)
]
train_cfg = dict(
    type='mmmtnas.AlternatingTaskTrainLoop',
    max_iters=max_iters,
    schedule='round_robin',
    val_interval=5000)
val_cfg = dict(type='mmmtnas.MultiTaskValLoop')
test_cfg = dict(type='mmmtnas.MultiTaskTestLoop')
