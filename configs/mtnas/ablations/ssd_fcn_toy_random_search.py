# Table 1 "Random search" at the same budget: every search stage runs its iterations with the
# architecture optimiser's lr at 0, so each part's genotype is derived from its seeded random
# alphas while the weights get the same training; the derived network is finetuned and tested
# as in MTNAS. (One random architecture per seed: run several seeds via
# `--cfg-options stages.s1_det.randomness.seed=N ...` for a population.)
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_random_search'
_frozen_arch = dict(optim_wrapper=dict(arch=dict(optimizer=dict(lr=0., weight_decay=0.))))
stages = dict(s1_det=_frozen_arch, s1_seg=_frozen_arch, s2a=_frozen_arch, s2b=_frozen_arch)
