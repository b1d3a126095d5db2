# Table 1 "Ours†, w/o branch search" on the toy set (./without_branch_search_mixed.py on
# ./ours_dagger_toy.py): the hand-crafted branches at the toy sizes (SSD on strides 8..64).
_base_ = ['./ours_dagger_toy.py']
work_dir = './work_dirs/without_branch_search_toy'
stage_order = ['s2a', 's2b', 'finetune', 'test']
_levels = [8, 16, 32]
_branches = dict(
    det_neck=dict(_delete_=True, in_channels=_levels, out_channels=_levels + [32],
                  level_strides=(2, ), level_paddings=(1, )),
    seg_head=dict(_delete_=True, in_channels=_levels[0]))
_handcrafted = dict(config='../table1/_base_/finetune_handcrafted.py', model=_branches)
stages = dict(
    s2b=dict(config='../table1/_base_/s2b_handcrafted.py', model=dict(supernet=_branches),
             init_from=[s for s in _base_.stages.s2b.init_from if 's2a' in str(s)]),
    finetune=_handcrafted, test=_handcrafted)
