# "Single" baseline of BMTAS Table 1: one MobileNetV2 + R-ASPP encoder per task (nothing
# shared), trained in one run with the Shared schedule. Its test metrics are written to
# single_metrics.json, the Δm baseline of the Shared / BMTAS configs.
_base_ = ['./mnv2_pascal_mt_shared.py']

model = dict(encoder=dict(structure='all_separate'))
val_evaluator = dict(baseline=None, dump_metrics={{_base_.single_metrics_file}})
test_evaluator = val_evaluator
