# Table 3 "SSD-ResNet18 [45]", toy twin: the toy data has one set, so this is Table 1's
# toy row (../table1/ssd_r18_toy.py).
_base_ = ['../table1/ssd_r18_toy.py']
