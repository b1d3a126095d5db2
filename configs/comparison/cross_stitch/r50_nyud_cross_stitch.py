# Cross-Stitch network of BMTAS Table 2 (NYUD-v2, ResNet-50 + ASPP; paper: 254.4B MAdds, Δm
# +0.77): one ResNet-50 + ASPP column per task, a cross-stitch unit after the stem and after
# every ResNet stage, each task's own DeepLabv3+ decoder; columns and decoders start from the
# trained Single baseline, then train with the Shared schedule (20k iterations, batch 8). Δm
# against the Single baseline's results. See docs/comparison_dense.md.
#   python tools/train.py configs/bmtas/r50_nyud_mt_single.py
#   python tools/train.py configs/comparison/cross_stitch/r50_nyud_cross_stitch.py
_base_ = ['../../bmtas/r50_nyud_mt_shared.py', '../_base_/column_networks.py']

single_task_checkpoint = 'work_dirs/r50_nyud_mt_single/iter_20000.pth'
model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=single_task_checkpoint,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.CrossStitchNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context))
