# Table 1 "DARTS† [9]" (mixed): as ./proxy_darts_mixed.py, plus a conventional ImageNet
# pre-training of the transferred backbone before the finetune.
_base_ = ['./proxy_darts_mixed.py']
work_dir = './work_dirs/proxy_darts_imagenet_mixed'
stage_order = _base_._proxy_imagenet.stage_order
stages = dict(finetune=dict(init_from=_base_._proxy_imagenet.finetune_init))
