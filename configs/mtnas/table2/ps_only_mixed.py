# Table 2 "PS" (./_base_/ps_only.py on ../ssd_fcn_mixed.py).
_base_ = ['../ssd_fcn_mixed.py', './_base_/ps_only.py']
work_dir = './work_dirs/ps_only_mixed'
stage_order = _base_.ps_only_order
stages = _base_.ps_only_stages
