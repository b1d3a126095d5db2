# Toy twin of mnv2_pascal_cross_stitch.py: the five PASCAL-Context tasks on the generated toy
# data (thin MobileNetV2, 48x48 crops; ../../bmtas/toy_mnv2_pascal_shared.py), a few seconds on
# 2 CPU cores. The columns start from the backbone's random initialisation, not from trained
# single-task networks (no Single run needed); validation at the end logs the metrics (and Δm
# when work_dirs/toy_mnv2_pascal_single/single_metrics.json exists).
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/cross_stitch/mnv2_pascal_cross_stitch_toy.py
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py', '../_base_/column_networks.py']

model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=None,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.CrossStitchNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context))
train_cfg = dict(max_iters=10, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
