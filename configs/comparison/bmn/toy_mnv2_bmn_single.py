# `branching` stage of mnv2_pascal_bmn_toy.py: the toy single-task networks of the five toy
# tasks (../../bmtas/toy_mnv2_pascal_single.py, shortened), then BMN on 8 validation images,
# encoder MAdds at the toy's 64x64 within half the way from all shared to all separate.
_base_ = ['../../bmtas/toy_mnv2_pascal_single.py']

val_evaluator = dict(dump_metrics=None)
test_evaluator = val_evaluator
train_cfg = dict(max_iters=30, val_interval=30)
default_hooks = dict(checkpoint=dict(interval=30))
custom_hooks = [
    dict(type='mmmtnas.BMNBranchingHook', budget=0.5, cost_input_size=(64, 64), num_images=8)
]
