# Table 1 "Ours*" = Table 2 "PS+BS": MTNAS as the paper runs it (../ssd_fcn_mixed.py).
_base_ = ['../ssd_fcn_mixed.py']
work_dir = './work_dirs/ours_star_mixed'
