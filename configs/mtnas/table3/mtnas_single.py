# Table 3 "MTNAS (Ours)" on the single set (KITTI + Cityscapes): ../ssd_fcn_single.py.
_base_ = ['../ssd_fcn_single.py']
work_dir = './work_dirs/mtnas_single'
