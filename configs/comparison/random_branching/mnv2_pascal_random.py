# Random branching (BMTAS Fig. 2: "random structures") on PASCAL-Context, MobileNetV2 + R-ASPP,
# in one call: the BMTAS search (its branch file is the target) -> a random tree at the same
# encoder MAdds (search/random_branches.yaml) -> retrain it as BMTAS retrains its own -> test.
#   python tools/train.py configs/comparison/random_branching/mnv2_pascal_random.py
# (another random tree: the `seed` of the RandomBranchingHook, the last of the search stage's
# custom_hooks in mnv2_pascal_random_search.py).
# To match an existing branch file (BMTAS, FAFS, BMN) without a search:
#   python tools/branching/branching.py random --target FILE --seed 0 --out random.yaml
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_retrain.py \
#       --cfg-options model.encoder.branches=random.yaml
_base_ = ['../../bmtas/mnv2_pascal_mt.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    search=dict(config='./mnv2_pascal_random_search.py',
                outputs=dict(random_branches='random_branches.yaml')),
    retrain=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py',
                 model=dict(encoder=dict(branches='{stages.search.random_branches}'))),
    test=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py',
              model=dict(encoder=dict(branches='{stages.search.random_branches}'))))
