# Toy BMTAS end to end in one call, a few minutes on 2 CPU cores: search (toy_mnv2_search.py) ->
# export (search/branches.yaml + .png) -> retrain (toy_mnv2_retrain.py) -> test.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
#   python tools/train.py configs/bmtas/toy_mnv2_pascal.py [--work-dir DIR]
# Every stage runs in WORK_DIR/<stage>/; WORK_DIR/summary.json (+ .md) lists the branch file and
# the metrics.
_base_ = ['./_base_/bmtas_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    search=dict(config='./toy_mnv2_search.py'),
    retrain=dict(config='./toy_mnv2_retrain.py'),
    test=dict(config='./toy_mnv2_retrain.py', input_size=(64, 64)))
