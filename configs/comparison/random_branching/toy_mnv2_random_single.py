# `branching` stage of mnv2_pascal_random_toy.py: the toy BMN stage (../bmn/toy_mnv2_bmn_single.py,
# five tasks) writes branches.yaml; after it, a random tree within 5 % of that file's encoder
# MAdds, seeded, is written to random_branches.yaml. The toy matches BMN's tree because there is
# no five-task toy BMTAS search; the full-scale config matches BMTAS's.
_base_ = ['../bmn/toy_mnv2_bmn_single.py']

custom_hooks = _base_.custom_hooks + [
    dict(type='mmmtnas.RandomBranchingHook', target='branches.yaml', tolerance=0.05, seed=0)
]
