# Table 1 "Ours†" = Table 2 "PT+BS": ImageNet pre-TRAINING instead of the pre-search. S2a
# trains the backbone supernet's weights on ImageNet with its alphas frozen at their seeded
# initialisation (no architecture step moves them; no skip-connect stop: the iteration budget
# ends it); S2b then searches from those weights and alphas. Everything else as Ours*.
_base_ = ['../ssd_fcn_mixed.py']
work_dir = './work_dirs/ours_dagger_mixed'
stages = dict(s2a=dict(
    model=dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['backbone.']),
    custom_hooks=[dict(type='mmmtnas.ArchitectureExportHook', interval=100)]))
