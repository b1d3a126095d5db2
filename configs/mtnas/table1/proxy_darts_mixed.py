# Table 1 "DARTS [9]" (mixed): ../proxy/darts_cifar10.py searches CIFAR-10;
# its cells, transferred into the multi-task network, are trained from scratch.
_base_ = ['../proxy/_base_/mixed.py']
work_dir = './work_dirs/proxy_darts_mixed'
stages = dict(cifar_search=dict(config='../proxy/darts_cifar10.py'))
