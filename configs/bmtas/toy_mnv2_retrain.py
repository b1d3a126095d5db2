# Toy twin of mnv2_pascal_mt_retrain.py, the `retrain` and `test` stages of toy_mnv2_pascal.py:
# the branched network of a toy search, every block started from the stand-in ImageNet
# checkpoint and the lr of a shared block divided by the number of tasks sharing it (App. A), as
# in the real retraining; only the data (two tasks of the toy data, 48x48 crops, 64x64 test
# images), the widths (toy_mnv2_search.py's), the iteration count, a higher lr and Δm (left out:
# no toy Single baseline) differ. Alone it needs the branch file:
#   python tools/train.py configs/bmtas/toy_mnv2_retrain.py \
#       --cfg-options model.encoder.branches=WORK_DIR/search/branches.yaml
_base_ = ['./mnv2_pascal_mt_retrain.py', './_base_/toy_two_tasks.py']

model = dict(
    encoder=dict(backbone=dict(widen_factor=0.25,
                               init_cfg=dict(checkpoint=_base_.toy_checkpoint)),
                 context=dict(channels=32)),
    heads=dict(_delete_=True, semseg={{_base_.task_semseg.head}}, sal={{_base_.task_sal.head}}),
    task_weights=dict(_delete_=True, semseg={{_base_.task_semseg.weight}},
                      sal={{_base_.task_sal.weight}}),
    head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8))

train_dataloader = _base_.toy_train_loader
val_dataloader = _base_.toy_val_loader
test_dataloader = val_dataloader
val_evaluator = dict(
    _delete_=True,
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics=[{{_base_.task_semseg.metric}}, {{_base_.task_sal.metric}}],
    keys=None)
test_evaluator = val_evaluator

optim_wrapper = dict(optimizer=dict(lr=0.02))
train_cfg = dict(max_iters=200, val_interval=200)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=200, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
