# Retrain the branched MobileNetV2 + R-ASPP encoder found by configs/bmtas/mnv2_pascal_mt.py on
# PASCAL-Context at full resolution (App. A): ImageNet-initialised encoder, 40000 iterations,
# SGD lr 0.005 (poly), momentum 0.9, wd 1e-4, batch 16; a block shared by k tasks learns at
# lr / k. Δm against the Single baseline (configs/bmtas/mnv2_pascal_mt_single.py).
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_retrain.py
_base_ = ['./mnv2_pascal_mt_shared.py']

branch_file = 'work_dirs/mnv2_pascal_mt/branches.yaml'
norm_cfg = dict(type='BN', requires_grad=True)
pretrained = None  # e.g. 'checkpoints/mobilenet_v2_imagenet.pth' (MMPretrain format)
model = dict(
    encoder=dict(
        _delete_=True,
        type='mmmtnas.BranchedNetwork',
        branches=branch_file,
        backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=1.0, norm_cfg=norm_cfg,
                      act_cfg=dict(type='ReLU6')),
        context=dict(type='mmmtnas.EncoderRASPP', channels=256, norm_cfg=norm_cfg),
        output_stride=16,
        pretrained=pretrained))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmmtnas.SharedBlockLRConstructor',
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
