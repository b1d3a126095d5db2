# Table 1 "Ours†, w/o backbone search": S1 searches both branches; no S2a/S2b: the finetuned
# network is a hand-crafted ResNet-18 backbone (width 16, from scratch: no weights can be
# downloaded here) with the two searched branches.
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_without_backbone_search'
stage_order = ['s1_det', 's1_seg', 'finetune', 'test']
_levels = [32, 64, 128]  # ResNet-18 (base 16) stages 2-4: strides 8, 16, 32
_model = dict(
    backbone=dict(_delete_=True),  # no DARTS backbone settings: the stage config's ResNet
    det_neck=dict(genotype='{stages.s1_det.genotype}', in_channels=_levels,
                  out_channels=_levels + [32]),
    det_head=dict(in_channels=tuple(_levels + [32])),
    seg_head=dict(genotype='{stages.s1_seg.genotype}', in_channels=_levels))
stages = dict(
    finetune=dict(config='../ablations/toy_finetune_resnet18.py', model=_model, init_from=[]),
    test=dict(config='../ablations/toy_finetune_resnet18.py', model=_model))
