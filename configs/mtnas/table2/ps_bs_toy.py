# Table 2 "PS+BS" on the toy set: ../table1/ours_star_toy.py.
_base_ = ['../table1/ours_star_toy.py']
work_dir = './work_dirs/ps_bs_toy'
