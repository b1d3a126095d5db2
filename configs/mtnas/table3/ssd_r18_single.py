# Table 3 "SSD-ResNet18 [45]": ../../mtl_baseline/ssd_r18_single.py as it is (a plain runner).
_base_ = ['../../mtl_baseline/ssd_r18_single.py']
