# Toy twin of mnv2_pascal_nddr_cnn.py: the five PASCAL-Context tasks on the generated toy data
# (thin MobileNetV2, 48x48 crops; ../../bmtas/toy_mnv2_pascal_shared.py), a few seconds on 2 CPU
# cores. The columns start from the backbone's random initialisation, not from trained
# single-task networks; validation at the end logs the metrics (and Δm when
# work_dirs/toy_mnv2_pascal_single/single_metrics.json exists).
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/nddr_cnn/mnv2_pascal_nddr_cnn_toy.py
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py', '../_base_/column_networks.py']

model = dict(
    type='mmmtnas.ColumnMultiTaskModel',
    single_task_checkpoints=None,
    encoder=dict(_delete_=True, **_base_.column_encoder, type='mmmtnas.NDDRNetwork',
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context,
                 norm_cfg=_base_.norm_cfg, act_cfg=dict(type='ReLU6')))
train_cfg = dict(max_iters=10, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
