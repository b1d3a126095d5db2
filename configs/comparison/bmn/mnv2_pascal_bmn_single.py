# `branching` stage of BMN on PASCAL-Context (mnv2_pascal_bmn.py): the single-task networks of
# BMTAS Table 1 (../../bmtas/mnv2_pascal_mt_single.py: one encoder per task, same schedule)
# trained, then, when training ends, BMN (BMTAS App. B; mmmtnas/models/branched/bmn.py): RDMs of
# every task's features after every encoder layer on 250 validation images (each map
# average-pooled to 16x16 first, to hold 5 tasks x 18 layers x 250 images in ~2 GB), RSA
# affinities, and the tree of lowest task dissimilarity whose encoder MAdds at 512x512 stay
# within `max_madds`: 5.48e9, BMTAS-2's 9.1B minus the five decoders' 3.62 G, so the network
# costs at most BMTAS-2's MAdds (BMTAS-1: 3.88e9, BMTAS-3: 8.88e9; `budget=` a fraction from all
# shared, 0, to all separate, 1, instead). The paper makes three BMN models with three caps and
# does not give them (docs/comparison.md).
_base_ = ['../../bmtas/mnv2_pascal_mt_single.py']

# the Single baseline's run writes the Δm baseline file; this stage's copy must not replace it
val_evaluator = dict(dump_metrics=None)
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='mmmtnas.BMNBranchingHook', max_madds=5.48e9, cost_input_size=(512, 512),
         num_images=250, feature_size=(16, 16))
]
