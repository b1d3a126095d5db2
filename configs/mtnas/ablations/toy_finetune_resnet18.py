# Finetune stage of "w/o backbone search": a hand-crafted backbone (mmdet ResNet-18, width 16
# as the toy MTL baseline) with the S1-searched, derived branches.
_base_ = ['../ssd_fcn_toy/finetune.py']
_levels = [32, 64, 128]  # ResNet-18 (base 16) stages 2-4: strides 8, 16, 32
model = dict(
    backbone=dict(_delete_=True, type='mmdet.ResNet', depth=18, base_channels=16,
                  num_stages=4, out_indices=(1, 2, 3), norm_cfg=dict(type='BN'),
                  norm_eval=False, style='pytorch', init_cfg=None),
    det_neck=dict(genotype='{work_dir}/s1_det/genotype.yaml', in_channels=_levels,
                  out_channels=_levels + [32]),
    det_head=dict(in_channels=tuple(_levels + [32])),
    seg_head=dict(genotype='{work_dir}/s1_seg/genotype.yaml', in_channels=_levels))
