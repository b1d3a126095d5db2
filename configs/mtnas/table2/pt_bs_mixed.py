# Table 2 "PT+BS" is Table 1 "Ours†" (42.1 mAP / 45.4 mIoU in both tables).
_base_ = ['../table1/ours_dagger_mixed.py']
work_dir = './work_dirs/pt_bs_mixed'
