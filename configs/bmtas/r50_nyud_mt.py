# BMTAS on NYUD-v2, four tasks, ResNet-50 + ASPP (Table 2), end to end in one call: search
# (r50_nyud_mt_search.py) -> export (search/branches.yaml + .png) -> retrain
# (r50_nyud_mt_retrain.py) -> test at 425x560 (the images' size).
#   python tools/train.py configs/bmtas/r50_nyud_mt.py [--work-dir DIR]
# Every stage runs in WORK_DIR/<stage>/; WORK_DIR/summary.json (+ .md) lists the branch file and
# the metrics. Stage settings: --cfg-options stages.search.model.resource_weight=0.01.
_base_ = ['./_base_/bmtas_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    search=dict(config='./r50_nyud_mt_search.py'),
    retrain=dict(config='./r50_nyud_mt_retrain.py'),
    test=dict(config='./r50_nyud_mt_retrain.py', input_size=(425, 560)))
