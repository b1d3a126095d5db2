# Pareto MTL on the toy driving set: the toy MTL baseline (../../mtl_baseline/
# r18_fpn_ssd_fcn_toy.py: width-reduced ResNet-18, 64-channel FPN, 128x256) with Pareto MTL task
# weights, one det and one seg batch per iteration; 200 iterations = the toy baseline's 400
# one-task iterations. K = 5 preference vectors, k = 2.
_base_ = ['../../mtl_baseline/r18_fpn_ssd_fcn_toy.py', '../_base_/pareto_mtl.py']
max_iters = 200
model = dict(_delete_=True, **_base_.pareto_mtl, architecture=_base_.model, init_max_iters=20)
train_cfg = dict(_delete_=True, **_base_.pareto_loop, max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=25),
    dict(type='CosineAnnealingLR', T_max=max_iters - 25, eta_min=0., by_epoch=False, begin=25,
         end=max_iters)
]
default_hooks = dict(checkpoint=dict(interval=max_iters))
