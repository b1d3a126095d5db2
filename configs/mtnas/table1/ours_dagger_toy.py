# Table 1 "Ours†" on the toy set (./ours_dagger_mixed.py on ../ssd_fcn_toy.py).
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ours_dagger_toy'
stages = dict(s2a=dict(
    model=dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['backbone.']),
    custom_hooks=[dict(type='mmmtnas.ArchitectureExportHook', interval=5)]))
