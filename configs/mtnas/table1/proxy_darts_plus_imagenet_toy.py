# Table 1 "DARTS+† [16]" (toy): as ./proxy_darts_plus_toy.py, plus a conventional ImageNet
# pre-training of the transferred backbone before the finetune.
_base_ = ['./proxy_darts_plus_toy.py']
work_dir = './work_dirs/proxy_darts_plus_imagenet_toy'
stage_order = _base_._proxy_imagenet.stage_order
stages = dict(finetune=dict(init_from=_base_._proxy_imagenet.finetune_init))
