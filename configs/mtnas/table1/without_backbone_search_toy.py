# Table 1 "Ours†, w/o backbone search" on the toy set (./without_backbone_search_mixed.py on
# ../ssd_fcn_toy.py): ResNet-18 at the toy MTL baseline's width (16) and from scratch (no
# weights can be downloaded here).
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/without_backbone_search_toy'
stage_order = ['s1_det', 's1_seg', 'finetune', 'test']
_levels = [32, 64, 128]  # ResNet-18 (base 16) stages 2-4: strides 8, 16, 32
_resnet = dict(config='../table1/_base_/finetune_resnet18.py', model=dict(
    backbone=dict(_delete_=True, base_channels=16, init_cfg=None),
    det_neck=dict(genotype='{stages.s1_det.genotype}', in_channels=_levels,
                  out_channels=_levels + [32]),
    det_head=dict(in_channels=tuple(_levels + [32])),
    seg_head=dict(genotype='{stages.s1_seg.genotype}', in_channels=_levels)))
stages = dict(finetune=dict(_resnet, init_from=[]), test=_resnet)
