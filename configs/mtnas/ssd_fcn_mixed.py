# MTNAS (paper Algorithm 1) on the mixed set (BDD100K + Waymo detection, 4 classes; Cityscapes +
# BDD100K segmentation, 16 classes) with the paper's hyper-parameters (§4.2): the stages of
# ./_base_/ssd_fcn.py as they are. Data layout: docs/data_preparation.md.
_base_ = ['./_base_/ssd_fcn.py']
work_dir = './work_dirs/ssd_fcn_mixed'
