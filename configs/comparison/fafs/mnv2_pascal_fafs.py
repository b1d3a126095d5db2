# FAFS (Lu et al., CVPR 2017) as BMTAS compares it (Fig. 2, App. B) on PASCAL-Context, five
# tasks, MobileNetV2 + R-ASPP, in one call: pre-train the Shared network and split it greedily
# from the last layer (branching/branches.yaml + .png) -> retrain that branched network as BMTAS
# retrains its own (../../bmtas/mnv2_pascal_mt_retrain.py) -> test at 512x512.
#   python tools/train.py configs/comparison/fafs/mnv2_pascal_fafs.py [--work-dir DIR] \
#       [--cfg-options stages.branching.custom_hooks.0.penalty=1.0]   # a cheaper tree
# From an existing Shared checkpoint instead: tools/branching/branching.py fafs (see
# docs/comparison.md).
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./mnv2_pascal_fafs_shared.py'),
    retrain=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py'),
    test=dict(config='../../bmtas/mnv2_pascal_mt_retrain.py', input_size=(512, 512)))
