# Table 1 "Ours†, w/o backbone search": S1 searches both branches; no S2a/S2b: the finetuned
# network is a hand-crafted ResNet-18 backbone (width 16, from scratch: no weights can be
# downloaded here) with the two searched branches.
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_without_backbone_search'
stage_order = ['s1_det', 's1_seg', 'finetune', 'test']
stages = dict(
    finetune=dict(
        config='./ablations/toy_finetune_resnet18.py',
        inputs=['{work_dir}/s1_det/genotype.yaml', '{work_dir}/s1_seg/genotype.yaml'],
        init_from=[]),
    test=dict(config='./ablations/toy_finetune_resnet18.py'))
