# "Shared" baseline of BMTAS Table 1: MobileNetV2 + R-ASPP encoder shared by the five
# PASCAL-Context tasks, one DeepLabv3+ decoder per task, trained per App. A
# (./_base_/train_schedule.py: SGD 0.005 poly, batch 16, 40k iterations).
# Δm is computed against the single-task results that mnv2_pascal_mt_single.py writes
# (paper, Table 1: Single 65.11 / 57.54 / 65.41 / 13.98 / 69.50, Shared gives -6.35); a missing
# file only skips Δm.
_base_ = [
    '../_base_/datasets/pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/dense_mnv2_raspp.py', './_base_/train_schedule.py'
]

model = dict(heads={{_base_.task_heads}}, task_weights={{_base_.task_weights}})

single_metrics_file = 'work_dirs/mnv2_pascal_mt_single/single_metrics.json'
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics={{_base_.task_metrics}},
    keys={{_base_.delta_keys}},
    lower_is_better={{_base_.lower_is_better}},
    baseline=single_metrics_file)
test_evaluator = val_evaluator
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
