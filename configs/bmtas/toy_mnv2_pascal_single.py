# Toy "Single" run: one thin MobileNetV2 + R-ASPP per PASCAL-Context task on the toy data;
# writes work_dirs/toy_mnv2_pascal_single/single_metrics.json, the toy Shared run's Δm baseline.
_base_ = ['./toy_mnv2_pascal_shared.py']

model = dict(encoder=dict(structure='all_separate'))
val_evaluator = dict(baseline=None, dump_metrics={{_base_.single_metrics_file}})
test_evaluator = val_evaluator
