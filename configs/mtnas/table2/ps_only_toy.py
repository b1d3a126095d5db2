# Table 2 "PS" on the toy set (./_base_/ps_only.py on ../ssd_fcn_toy.py).
_base_ = ['../ssd_fcn_toy.py', './_base_/ps_only.py']
work_dir = './work_dirs/ps_only_toy'
stage_order = _base_.ps_only_order
stages = _base_.ps_only_stages
