# Table 1 "Random search [54]": random search with weight sharing (Li & Talwalkar 2019) over the
# MTNAS search space (backbone and both branches) in place of S1/S2a/S2b. Stage random_search is
# S2b's supernet, data and budget with nothing inherited or frozen; the alphas never learn (lr
# 0): mmmtnas.RandomSearchHook sets the supernet to a uniformly drawn architecture before each
# weight step, then scores `num_samples` drawn architectures by their loss on the val splits
# with the shared weights and keeps the lowest (random_search/random_search.json), which the
# export hook writes. As [54], the kept architecture is trained from scratch; then the test.
_random = dict(genotype='{stages.random_search.genotype}')
_random_model = dict(model=dict(backbone=_random, det_neck=_random, seg_head=_random))
_random_stages = dict(
    random_search=dict(init_from=[],  # rows add model=dict(frozen_arch=[]) to S2b's model
                       optim_wrapper=dict(arch=dict(optimizer=dict(lr=0., weight_decay=0.)))),
    finetune=dict(_random_model, init_from=[]),
    test=_random_model)
