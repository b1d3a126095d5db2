# Toy "Shared" run: the five PASCAL-Context tasks on the generated toy data with a thin
# MobileNetV2 (widen 0.25) + R-ASPP, 48x48 crops; a few minutes on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/bmtas/toy_mnv2_pascal_single.py   # writes the Δm baseline
#   python tools/train.py configs/bmtas/toy_mnv2_pascal_shared.py
#   python tools/test.py configs/bmtas/toy_mnv2_pascal_shared.py \
#       work_dirs/toy_mnv2_pascal_shared/iter_150.pth
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/toy_dense_mnv2_raspp.py', './_base_/train_schedule.py'
]

model = dict(heads={{_base_.task_heads}}, task_weights={{_base_.task_weights}})

single_metrics_file = 'work_dirs/toy_mnv2_pascal_single/single_metrics.json'
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics={{_base_.task_metrics}},
    keys={{_base_.delta_keys}},
    lower_is_better={{_base_.lower_is_better}},
    baseline=single_metrics_file)
test_evaluator = val_evaluator

# The schedule of mnv2_pascal_mt_shared.py, shortened (a higher lr for the few iterations).
optim_wrapper = dict(optimizer=dict(lr=0.02))
train_cfg = dict(max_iters=150, val_interval=150)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=150, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
