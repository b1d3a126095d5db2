# NDDR-CNN of BMTAS Table 1 (PASCAL-Context, MobileNetV2 + R-ASPP; paper: 21.8B MAdds, Δm
# -2.02): one MobileNetV2 + R-ASPP column per task and an NDDR layer (per task: the tasks'
# features concatenated, 1x1 conv, BN, ReLU6) after the stem and after every MobileNetV2 stage,
# initialised with 0.9 x identity on a task's own features and 0.1 / (T - 1) x identity on the
# others'. Columns and decoders start from the trained Single baseline, then train with the
# Shared schedule (40k iterations, batch 16). Δm against the Single baseline's results. See
# docs/comparison_dense.md.
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_single.py    # the columns' start
#   python tools/train.py configs/comparison/nddr_cnn/mnv2_pascal_nddr_cnn.py
_base_ = ['../../bmtas/mnv2_pascal_mt_shared.py', '../_base_/column_networks.py']

single_task_checkpoint = 'work_dirs/mnv2_pascal_mt_single/iter_40000.pth'
model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=single_task_checkpoint,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.NDDRNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context,
                 norm_cfg=_base_.norm_cfg, act_cfg=dict(type='ReLU6')))
