# Table 2 "PT+BS" on the toy set: ../table1/ours_dagger_toy.py.
_base_ = ['../table1/ours_dagger_toy.py']
work_dir = './work_dirs/pt_bs_toy'
