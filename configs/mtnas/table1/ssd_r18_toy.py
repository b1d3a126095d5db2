# Table 1 "SSD [45]": ../../mtl_baseline/ssd_r18_toy.py as it is (a plain runner, not a
# pipeline: tools/train.py trains it, tools/test.py tests it).
_base_ = ['../../mtl_baseline/ssd_r18_toy.py']
