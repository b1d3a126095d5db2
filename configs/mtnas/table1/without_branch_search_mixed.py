# Table 1 "Ours†, w/o branch search": no S1; the MTL baseline's hand-crafted branches
# (./_base_/handcrafted_branches.py: SSD extra layers + SSD head, FCN-style head) on the
# backbone, which is ImageNet pre-trained (S2a as in ./ours_dagger_mixed.py) and searched in S2b
# under these branches; the derived backbone and the same branches are finetuned and tested.
_base_ = ['./ours_dagger_mixed.py']
work_dir = './work_dirs/without_branch_search_mixed'
stage_order = ['s2a', 's2b', 'finetune', 'test']
# the derived branches' settings of the pipeline (genotypes) give way to the stage config's
_handcrafted = dict(config='../table1/_base_/finetune_handcrafted.py',
                    model=dict(det_neck=dict(_delete_=True), seg_head=dict(_delete_=True)))
stages = dict(
    s2b=dict(config='../table1/_base_/s2b_handcrafted.py',
             init_from=[s for s in _base_.stages.s2b.init_from if 's2a' in str(s)]),
    finetune=_handcrafted, test=_handcrafted)
