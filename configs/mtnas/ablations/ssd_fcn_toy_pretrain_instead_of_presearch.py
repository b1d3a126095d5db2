# Table 1 "Ours†" (ImageNet pre-TRAINING instead of pre-search): S2a trains the backbone
# supernet's weights on the ImageNet-format data with its alphas frozen at their seeded
# initialisation (no architecture step moves them); S2b then searches from those weights and
# the unsearched alphas. Everything else as configs/mtnas/ssd_fcn_toy.py.
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_pretrain_instead_of_presearch'
stages = dict(
    s2a=dict(
        model=dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['backbone.']),
        # pre-training is not a search: no skip-connect stop, just the iteration budget
        custom_hooks=[dict(type='mmmtnas.ArchitectureExportHook', interval=2)]))
