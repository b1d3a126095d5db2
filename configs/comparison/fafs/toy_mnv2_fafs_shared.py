# `branching` stage of mnv2_pascal_fafs_toy.py: the toy Shared network of the five toy tasks
# (../../bmtas/toy_mnv2_pascal_shared.py, shortened), then FAFS on 8 validation images, MAdds at
# the toy's 64x64.
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py']

train_cfg = dict(max_iters=30, val_interval=30)
default_hooks = dict(checkpoint=dict(interval=30))
custom_hooks = [
    dict(type='mmmtnas.FAFSBranchingHook', penalty=0.5, cost_input_size=(64, 64),
         num_images=8)
]
