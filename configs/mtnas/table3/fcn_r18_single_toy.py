# Table 3 "FCN-ResNet18 [32]", toy twin: the toy data has one set, so this is Table 1's
# toy row (../table1/fcn_r18_toy.py).
_base_ = ['../table1/fcn_r18_toy.py']
