# Toy twin of mnv2_pascal_mtan.py: the five PASCAL-Context tasks on the generated toy data
# (thin MobileNetV2, 48x48 crops; ../../bmtas/toy_mnv2_pascal_shared.py), a few seconds on 2 CPU
# cores; validation at the end logs the metrics (and Δm when
# work_dirs/toy_mnv2_pascal_single/single_metrics.json exists).
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/mtan/mnv2_pascal_mtan_toy.py
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py', '../_base_/mtan_mnv2.py']

model = dict(
    encoder=dict(_delete_=True, **_base_.mtan_mnv2_encoder, norm_cfg=_base_.norm_cfg,
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context))
train_cfg = dict(max_iters=10, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
