# "Single" baseline of BMTAS Table 2: one ResNet-50 + ASPP encoder per NYUD-v2 task, trained in
# one run; writes single_metrics.json, the Δm baseline of the Shared / BMTAS configs.
_base_ = ['./r50_nyud_mt_shared.py']

model = dict(encoder=dict(structure='all_separate'))
val_evaluator = dict(baseline=None, dump_metrics={{_base_.single_metrics_file}})
test_evaluator = val_evaluator
