# Table 3 "FCN-ResNet18 [32]": ../../mtl_baseline/fcn_r18_single.py as it is (a plain runner).
_base_ = ['../../mtl_baseline/fcn_r18_single.py']
