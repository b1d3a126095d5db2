# Finetune / test of "w/o backbone search": the hand-crafted backbone of the MTL baseline
# (mmdet ResNet-18, ImageNet pre-trained from torchvision's weights in the local torch cache)
# under the S1-searched, derived branches (their genotypes: the row config).
_base_ = ['../../_base_/finetune.py']
_levels = [128, 256, 512]  # ResNet-18 stages 2-4: strides 8, 16, 32
_det_out = _levels + _base_.det_neck_layout.out_channels[len(_levels):]
model = dict(
    backbone=dict(_delete_=True, type='mmdet.ResNet', depth=18, num_stages=4, out_indices=(1, 2, 3),
                  norm_cfg=dict(type='BN'), norm_eval=False, style='pytorch',
                  init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    det_neck=dict(in_channels=_levels, out_channels=_det_out),
    det_head=dict(in_channels=tuple(_det_out)),
    seg_head=dict(in_channels=_levels))
