# Table 2 "BS" on the toy set (./bs_only_mixed.py on ../ssd_fcn_toy.py).
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/bs_only_toy'
stage_order = ['s1_det', 's1_seg', 's2b', 'finetune', 'test']
stages = dict(s2b=dict(init_from=[s for s in _base_.stages.s2b.init_from if 's2a' not in str(s)]))
