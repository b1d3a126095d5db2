# Table 1 "Co-search": backbone and both branches searched at once, in one alternating-task
# bi-level stage (the S2b stage with nothing frozen and nothing inherited); no S1, no S2a.
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_co_search'
stage_order = ['s2b', 'finetune', 'test']
stages = dict(s2b=dict(init_from=[], model=dict(frozen_arch=[])))
