# Toy BMTAS retraining: a branched network exported by toy_mnv2_search.py, trained from scratch
# on the toy data with the lr of every shared block divided by the number of tasks sharing it
# (App. A); the `retrain` and `test` stages of toy_mnv2_pascal.py. Alone it needs the branch file:
#   python tools/train.py configs/bmtas/toy_mnv2_retrain.py \
#       --cfg-options model.encoder.branches=WORK_DIR/search/branches.yaml
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/toy_dense_mnv2_raspp.py', './_base_/train_schedule.py'
]

search_tasks = ('semseg', 'sal')
model = dict(
    encoder=dict(
        _delete_=True,
        type='mmmtnas.BranchedNetwork',
        branches=None,  # required: a branch file written by a BMTAS search
        backbone={{_base_.bmtas_backbone}},
        context={{_base_.bmtas_context}}),
    heads=dict(semseg={{_base_.task_semseg.head}}, sal={{_base_.task_sal.head}}),
    task_weights=dict(semseg={{_base_.task_semseg.weight}}, sal={{_base_.task_sal.weight}}))

train_dataloader = dict(dataset=dict(tasks=search_tasks))
val_dataloader = dict(dataset=dict(tasks=search_tasks))
test_dataloader = val_dataloader
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics=[{{_base_.task_semseg.metric}}, {{_base_.task_sal.metric}}],
    keys=None)
test_evaluator = val_evaluator

optim_wrapper = dict(constructor='mmmtnas.SharedBlockLRConstructor', optimizer=dict(lr=0.02))
train_cfg = dict(max_iters=200, val_interval=200)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=200, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
