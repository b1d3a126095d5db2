# BMTAS (Bruggemann et al., BMVC 2020) on PASCAL-Context, five tasks, MobileNetV2 + R-ASPP
# (Table 1), end to end in one call: search (mnv2_pascal_mt_search.py) -> export
# (search/branches.yaml + .png) -> retrain (mnv2_pascal_mt_retrain.py) -> test at 512x512.
#   python tools/train.py configs/bmtas/mnv2_pascal_mt.py [--work-dir DIR]
# Every stage runs in WORK_DIR/<stage>/; WORK_DIR/summary.json (+ .md) lists the branch file and
# the metrics. Stage settings: --cfg-options stages.search.model.resource_weight=0.1.
_base_ = ['./_base_/bmtas_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    search=dict(config='./mnv2_pascal_mt_search.py'),
    retrain=dict(config='./mnv2_pascal_mt_retrain.py'),
    test=dict(config='./mnv2_pascal_mt_retrain.py', input_size=(512, 512)))
