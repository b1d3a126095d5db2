# Table 1 "Co-search" on the toy set (./co_search_mixed.py on ../ssd_fcn_toy.py; the toy
# batches stay 4).
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/co_search_toy'
stage_order = ['s2b', 'finetune', 'test']
stages = dict(s2b=dict(init_from=[], model=dict(frozen_arch=[])))
