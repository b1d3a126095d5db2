# Table 1 "MTL baseline": ../../mtl_baseline/r18_fpn_ssd_fcn_mixed.py as it is (a plain
# runner, not a pipeline: tools/train.py trains it, tools/test.py tests it).
_base_ = ['../../mtl_baseline/r18_fpn_ssd_fcn_mixed.py']
