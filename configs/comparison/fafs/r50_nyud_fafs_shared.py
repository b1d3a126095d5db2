# `branching` stage of FAFS on NYUD-v2 (r50_nyud_fafs.py): the Shared network of BMTAS
# Table 2 (../../bmtas/r50_nyud_mt_shared.py) pre-trained, then FAFS's greedy grouping on 500
# validation images (NYUD-v2 has 654), MAdds counted at 425x560.
_base_ = ['../../bmtas/r50_nyud_mt_shared.py']

custom_hooks = [
    dict(type='mmmtnas.FAFSBranchingHook', penalty=0.5, cost_input_size=(425, 560),
         num_images=500)
]
