# Table 1 "Ours*" on the toy set (../ssd_fcn_toy.py).
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ours_star_toy'
