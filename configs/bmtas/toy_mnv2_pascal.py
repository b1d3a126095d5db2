# Toy twin of mnv2_pascal_mt.py: the same pipeline (search -> export of search/branches.yaml
# + .png -> retrain -> test) with the toy stage configs, which inherit the real ones and change
# only the data, the sizes, the iteration counts and the ImageNet checkpoint (a local stand-in);
# a few minutes on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
#   python tools/train.py configs/bmtas/toy_mnv2_pascal.py [--work-dir DIR]
# Every stage runs in WORK_DIR/<stage>/; WORK_DIR/summary.json (+ .md) lists the branch file and
# the metrics.
_base_ = ['./mnv2_pascal_mt.py']

stages = dict(
    search=dict(config='./toy_mnv2_search.py'),
    retrain=dict(config='./toy_mnv2_retrain.py'),
    test=dict(config='./toy_mnv2_retrain.py', input_size=(64, 64)))
