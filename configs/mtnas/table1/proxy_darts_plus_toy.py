# Table 1 "DARTS+ [16]" (toy): ../proxy/darts_plus_cifar10.py searches CIFAR-10, its cells are
# transferred into the multi-task network, trained from scratch; checks every 2 iterations.
_base_ = ['../proxy/_base_/toy.py']
work_dir = './work_dirs/proxy_darts_plus_toy'
_checks = dict(interval=2)
stages = dict(cifar_search=dict(config='../proxy/darts_plus_cifar10.py', custom_hooks=[
    dict(type='mmmtnas.SkipConnectStopHook', max_skip_connects=1, parts=['backbone'], **_checks),
    dict(type='mmmtnas.ArchitectureStableStopHook', patience=3, **_checks),
    dict(type='mmmtnas.ArchitectureExportHook', **_checks)]))
