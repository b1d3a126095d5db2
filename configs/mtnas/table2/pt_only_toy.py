# Table 2 "PT" on the toy set: ../table1/without_backbone_search_toy.py.
_base_ = ['../table1/without_backbone_search_toy.py']
work_dir = './work_dirs/pt_only_toy'
