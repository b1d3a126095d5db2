# `branching` stage of BMN on NYUD-v2 (r50_nyud_bmn.py): the single-task networks of BMTAS
# Table 2 (../../bmtas/r50_nyud_mt_single.py) trained, then BMN on 250 validation images (maps
# pooled to 8x8: ResNet-50's 16 blocks hold 15k channels), encoder MAdds at 425x560 within
# 145.4e9, BMTAS-2's 223.7B minus the four decoders' 78.3 G (BMTAS-1: 77.5e9, BMTAS-3: 170.0e9).
_base_ = ['../../bmtas/r50_nyud_mt_single.py']

val_evaluator = dict(dump_metrics=None)
test_evaluator = val_evaluator
custom_hooks = [
    dict(type='mmmtnas.BMNBranchingHook', max_madds=145.4e9, cost_input_size=(425, 560),
         num_images=250, feature_size=(8, 8))
]
