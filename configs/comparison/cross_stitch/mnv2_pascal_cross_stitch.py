# Cross-Stitch network of BMTAS Table 1 (PASCAL-Context, MobileNetV2 + R-ASPP; paper: 15.7B
# MAdds, Δm +0.47): one MobileNetV2 + R-ASPP column per task, a cross-stitch unit (one weight
# per pair of tasks) after the stem and after every MobileNetV2 stage, each task's own
# DeepLabv3+ decoder. The columns and decoders start from the trained Single baseline
# (BMTAS App. B: "applied on the fully pre-trained single-task networks"; unit weights 0.9 on the
# diagonal, 0.1 / (T - 1) elsewhere), then train with the Shared schedule (SGD 0.005 poly, batch
# 16, 40k iterations; the paper tunes each baseline's learning rate by a grid search it does
# not publish). Δm against the Single baseline's results. See docs/comparison_dense.md.
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_single.py    # the columns' start
#   python tools/train.py configs/comparison/cross_stitch/mnv2_pascal_cross_stitch.py
_base_ = ['../../bmtas/mnv2_pascal_mt_shared.py', '../_base_/column_networks.py']

single_task_checkpoint = 'work_dirs/mnv2_pascal_mt_single/iter_40000.pth'
model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=single_task_checkpoint,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.CrossStitchNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context))
