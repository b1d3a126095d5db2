# Table 2 "BS": the backbone searched with the multi-task loss only: no S2a, so S2b starts its
# backbone from seeded random alphas and weights (the branches from S1 as in MTNAS).
_base_ = ['../ssd_fcn_mixed.py']
work_dir = './work_dirs/bs_only_mixed'
stage_order = ['s1_det', 's1_seg', 's2b', 'finetune', 'test']
stages = dict(s2b=dict(init_from=[s for s in _base_.stages.s2b.init_from if 's2a' not in str(s)]))
