# Table 1 "Ours†, w/o backbone search" = Table 2 "PT": S1 searches both branches; no S2a/S2b:
# the finetuned network is the MTL baseline's ImageNet pre-trained ResNet-18 with the two
# searched branches (./_base_/finetune_resnet18.py), whose weights start afresh.
_base_ = ['../ssd_fcn_mixed.py']
work_dir = './work_dirs/without_backbone_search_mixed'
stage_order = ['s1_det', 's1_seg', 'finetune', 'test']
# the DARTS backbone settings of the pipeline give way to the stage config's ResNet-18
_resnet = dict(config='../table1/_base_/finetune_resnet18.py', model=dict(
    backbone=dict(_delete_=True), det_neck=dict(genotype='{stages.s1_det.genotype}'),
    seg_head=dict(genotype='{stages.s1_seg.genotype}')))
stages = dict(finetune=dict(_resnet, init_from=[]), test=_resnet)
