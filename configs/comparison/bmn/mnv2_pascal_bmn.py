# BMN (Vandenhende et al., BMVC 2020) as BMTAS compares it (Fig. 2, App. B) on PASCAL-Context,
# five tasks, MobileNetV2 + R-ASPP, in one call: train the single-task networks, branch by RSA
# task affinity under a MAdds cap (branching/branches.yaml + .png) -> retrain that branched
# network as BMTAS retrains its own (../../bmtas/mnv2_pascal_mt_retrain.py) -> test at 512x512.
#   python tools/train.py configs/comparison/bmn/mnv2_pascal_bmn.py [--work-dir DIR] \
#       [--cfg-options stages.branching.custom_hooks.0.max_madds=3.88e9]   # BMTAS-1 MAdds
# From existing single-task checkpoints: tools/branching/branching.py bmn (docs/comparison.md).
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./mnv2_pascal_bmn_single.py'),
    retrain=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py'),
    test=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py', input_size=(512, 512)))
