# Table 1 "PC-DARTS† [17]" (mixed): as ./proxy_pc_darts_mixed.py, plus a conventional ImageNet
# pre-training of the transferred backbone before the finetune.
_base_ = ['./proxy_pc_darts_mixed.py']
work_dir = './work_dirs/proxy_pc_darts_imagenet_mixed'
stage_order = _base_._proxy_imagenet.stage_order
stages = dict(finetune=dict(init_from=_base_._proxy_imagenet.finetune_init))
