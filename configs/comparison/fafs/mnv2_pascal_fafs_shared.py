# `branching` stage of FAFS on PASCAL-Context (mnv2_pascal_fafs.py): the Shared network of
# BMTAS Table 1 (../../bmtas/mnv2_pascal_mt_shared.py, same schedule) pre-trained, then, when
# training ends, FAFS's greedy top-down grouping of every encoder layer by task affinity
# (BMTAS App. B; mmmtnas/models/branched/fafs.py) on 500 validation images, MAdds counted at
# 512x512. `penalty` is the complexity weight: the paper makes three FAFS models by varying it
# and does not give the values; larger is cheaper (docs/comparison.md).
_base_ = ['../../bmtas/mnv2_pascal_mt_shared.py']

custom_hooks = [
    dict(type='mmmtnas.FAFSBranchingHook', penalty=0.5, cost_input_size=(512, 512),
         num_images=500)
]
