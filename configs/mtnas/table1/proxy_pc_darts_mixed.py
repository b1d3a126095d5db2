# Table 1 "PC-DARTS [17]" (mixed): ../proxy/pc_darts_cifar10.py searches CIFAR-10;
# its cells, transferred into the multi-task network, are trained from scratch.
_base_ = ['../proxy/_base_/mixed.py']
work_dir = './work_dirs/proxy_pc_darts_mixed'
stages = dict(cifar_search=dict(config='../proxy/pc_darts_cifar10.py'))
