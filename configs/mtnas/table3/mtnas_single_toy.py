# Table 3 "MTNAS (Ours)", toy twin: the toy data has one set, read as the mixed one, so this
# is the toy MTNAS pipeline (../ssd_fcn_toy.py); ../ssd_fcn_single.py's own settings are its
# data and class counts (checked in tests/test_configs/test_mtnas_configs.py).
_base_ = ['../table1/ours_star_toy.py']
work_dir = './work_dirs/mtnas_single_toy'
