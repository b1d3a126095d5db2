# `search` stage of mnv2_pascal_random.py: the BMTAS search of Table 1
# (../../bmtas/mnv2_pascal_mt_search.py), whose export hook writes branches.yaml; after it, a
# random tree within 2 % of that file's encoder MAdds (512x512), seeded
# (mmmtnas/models/branched/random_branching.py), written to random_branches.yaml.
_base_ = ['../../bmtas/mnv2_pascal_mt_search.py']

custom_hooks = _base_.custom_hooks + [
    dict(type='mmmtnas.RandomBranchingHook', target='branches.yaml', tolerance=0.02, seed=0)
]
