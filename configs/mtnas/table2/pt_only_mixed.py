# Table 2 "PT" (ImageNet pre-trained ResNet-18 backbone, searched branches) is Table 1
# "Ours†, w/o backbone search" (the same row: 40.5 mAP / 44.5 mIoU in both tables).
_base_ = ['../table1/without_backbone_search_mixed.py']
work_dir = './work_dirs/pt_only_mixed'
