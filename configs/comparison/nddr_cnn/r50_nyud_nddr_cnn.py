# NDDR-CNN of BMTAS Table 2 (NYUD-v2, ResNet-50 + ASPP; paper: 366.2B MAdds, Δm +0.91): one
# ResNet-50 + ASPP column per task and an NDDR layer (1x1 conv + BN + ReLU on the concatenated
# task features, per task) after the stem and after every ResNet stage, initialised 0.9 / 0.1 /
# (T - 1) x identity; columns and decoders from the trained Single baseline, then the Shared
# schedule (20k iterations, batch 8). Δm against the Single baseline's results. See
# docs/comparison_dense.md.
#   python tools/train.py configs/bmtas/r50_nyud_mt_single.py
#   python tools/train.py configs/comparison/nddr_cnn/r50_nyud_nddr_cnn.py
_base_ = ['../../bmtas/r50_nyud_mt_shared.py', '../_base_/column_networks.py']

single_task_checkpoint = 'work_dirs/r50_nyud_mt_single/iter_20000.pth'
model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=single_task_checkpoint,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.NDDRNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context,
                 norm_cfg=_base_.norm_cfg, act_cfg=dict(type='ReLU')))
