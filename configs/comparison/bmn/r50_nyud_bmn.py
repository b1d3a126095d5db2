# BMN on NYUD-v2, four tasks, ResNet-50 + ASPP (the BMTAS Table 2 setting; the paper shows BMN
# only in Fig. 2): train the single-task networks, branch by RSA under a MAdds cap, retrain as
# BMTAS does (../../bmtas/r50_nyud_mt_retrain.py), test at 425x560.
#   python tools/train.py configs/comparison/bmn/r50_nyud_bmn.py [--work-dir DIR]
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./r50_nyud_bmn_single.py'),
    retrain=dict(config='../../bmtas/r50_nyud_mt_retrain.py'),
    test=dict(config='../../bmtas/r50_nyud_mt_retrain.py', input_size=(425, 560)))
