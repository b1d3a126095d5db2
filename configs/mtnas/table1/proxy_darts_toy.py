# Table 1 "DARTS [9]" (toy): ../proxy/darts_cifar10.py searches CIFAR-10;
# its cells, transferred into the multi-task network, are trained from scratch.
_base_ = ['../proxy/_base_/toy.py']
work_dir = './work_dirs/proxy_darts_toy'
stages = dict(cifar_search=dict(config='../proxy/darts_cifar10.py'))
