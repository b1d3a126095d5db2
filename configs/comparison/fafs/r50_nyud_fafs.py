# FAFS on NYUD-v2, four tasks, ResNet-50 + ASPP (the BMTAS Table 2 setting; the paper shows FAFS
# only in Fig. 2): pre-train the Shared network, split it greedily from the last layer, retrain
# the branched network as BMTAS does (../../bmtas/r50_nyud_mt_retrain.py), test at 425x560.
#   python tools/train.py configs/comparison/fafs/r50_nyud_fafs.py [--work-dir DIR]
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./r50_nyud_fafs_shared.py'),
    retrain=dict(config='../../bmtas/r50_nyud_mt_retrain.py'),
    test=dict(config='../../bmtas/r50_nyud_mt_retrain.py', input_size=(425, 560)))
