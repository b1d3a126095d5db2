# Table 2 "PS+BS" is Table 1 "Ours*" (43.7 mAP / 46.2 mIoU), MTNAS as the paper runs it.
_base_ = ['../table1/ours_star_mixed.py']
work_dir = './work_dirs/ps_bs_mixed'
