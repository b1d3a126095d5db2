# Finetune stage of "w/o backbone search": a hand-crafted backbone (mmdet ResNet-18, width 16
# as the toy MTL baseline) with the S1-searched, derived branches (their sizes and genotypes:
# ssd_fcn_toy_without_backbone_search.py).
_base_ = ['../_base_/finetune.py']
model = dict(
    backbone=dict(_delete_=True, type='mmdet.ResNet', depth=18, base_channels=16,
                  num_stages=4, out_indices=(1, 2, 3), norm_cfg=dict(type='BN'),
                  norm_eval=False, style='pytorch', init_cfg=None))
