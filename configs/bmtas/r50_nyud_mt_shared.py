# "Shared" baseline of BMTAS Table 2: ResNet-50 + ASPP encoder shared by the four NYUD-v2 tasks,
# one DeepLabv3+ decoder per task. App. A: same setup as PASCAL-Context
# (./_base_/train_schedule.py) with half the iterations (20k), batch 8 for ResNet-50. Δm against
# r50_nyud_mt_single.py's results (paper, Table 2: Single 40.08 / 0.5479 / 21.67 / 70.10, Shared
# gives -3.23); a missing file only skips Δm.
_base_ = [
    '../_base_/datasets/nyud_mt.py', '../_base_/tasks/nyud_mt.py',
    '../_base_/models/dense_r50_aspp.py', './_base_/train_schedule.py'
]

model = dict(heads={{_base_.task_heads}}, task_weights={{_base_.task_weights}})

single_metrics_file = 'work_dirs/r50_nyud_mt_single/single_metrics.json'
val_evaluator = dict(
    type='mmmtnas.MultiTaskDeltaEvaluator',
    metrics={{_base_.task_metrics}},
    keys={{_base_.delta_keys}},
    lower_is_better={{_base_.lower_is_better}},
    baseline=single_metrics_file)
test_evaluator = val_evaluator

train_cfg = dict(max_iters=20000, val_interval=20000)
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
