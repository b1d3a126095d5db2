# Toy twin of mnv2_pascal_mtan.py: the five PASCAL-Context tasks on the generated toy data
# (thin MobileNetV2, 48x48 crops; ../../bmtas/toy_mnv2_pascal_shared.py), a few seconds on 2 CPU
# cores; validation at the end logs the metrics (and Δm when
# work_dirs/toy_mnv2_pascal_single/single_metrics.json exists).
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/mtan/mnv2_pascal_mtan_toy.py
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py']

model = dict(
    encoder=dict(
        _delete_=True,
        type='mmmtnas.MTANEncoder',
        backbone={{_base_.bmtas_backbone}},
        context=dict(type='mmmtnas.EncoderRASPP', channels=32, dropout_ratio=0.1,
                     norm_cfg={{_base_.norm_cfg}}),
        output_stride=16,
        att_reduction=1,
        separable=True,
        norm_cfg={{_base_.norm_cfg}},
        act_cfg=dict(type='ReLU6')))
train_cfg = dict(max_iters=10, val_interval=10)
default_hooks = dict(logger=dict(interval=5), checkpoint=dict(interval=10, max_keep_ckpts=1))
