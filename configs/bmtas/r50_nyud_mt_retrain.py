# Retrain the branched ResNet-50 + ASPP encoder found by configs/bmtas/r50_nyud_mt.py on NYUD-v2
# at full resolution (App. A): ImageNet-initialised encoder, 20000 iterations, SGD lr 0.005
# (poly), batch 8; a block shared by k tasks learns at lr / k. Δm against the Single baseline.
#   python tools/train.py configs/bmtas/r50_nyud_mt_retrain.py
_base_ = ['./r50_nyud_mt_shared.py']

branch_file = 'work_dirs/r50_nyud_mt/branches.yaml'
norm_cfg = dict(type='BN', requires_grad=True)
pretrained = None  # e.g. 'checkpoints/resnet50_imagenet.pth' (MMPretrain format)
model = dict(
    encoder=dict(
        _delete_=True,
        type='mmmtnas.BranchedNetwork',
        branches=branch_file,
        backbone=dict(type='mmpretrain.ResNet', depth=50, norm_cfg=norm_cfg),
        context=dict(type='mmmtnas.EncoderASPP', channels=256, dilations=(1, 6, 12, 18),
                     norm_cfg=norm_cfg),
        output_stride=16,
        pretrained=pretrained))
optim_wrapper = dict(
    _delete_=True,
    constructor='mmmtnas.SharedBlockLRConstructor',
    optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4))
