# MTNAS Table 1 "Pareto MTL [20]" (Lin et al., NeurIPS 2019) on the mixed set: the MTL baseline
# network (ResNet-18 + FPN + SSD head + FCN-style head, 320x512) and its recipe (SGD lr 0.01
# cosine, momentum 0.9, wd 3e-5, batches of 32), trained with Pareto MTL task weights: every
# iteration one det batch and one seg batch, weights from the constrained min-norm problem over
# the shared (backbone + FPN) gradients. One preference vector per run: K = 5 vectors evenly
# spread over the quarter circle (the paper's), this run k = 2 (45 degrees); set
# `--cfg-options model.preference_index=K` for the others. 75k iterations = the baseline's 150k
# one-task iterations (75k batches per task).
_base_ = ['../../mtl_baseline/r18_fpn_ssd_fcn_mixed.py', '../_base_/pareto_mtl.py']
max_iters = 75000
# the reference code looks for a feasible point for at most 2 epochs, stopping at the first
# step with no violated constraint
model = dict(_delete_=True, **_base_.pareto_mtl, architecture=_base_.model, init_max_iters=1000)
train_cfg = dict(_delete_=True, **_base_.pareto_loop, max_iters=max_iters, val_interval=5000)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0., by_epoch=False, begin=0,
         end=max_iters)
]
