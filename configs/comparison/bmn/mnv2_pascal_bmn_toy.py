# Toy twin of mnv2_pascal_bmn.py: the same pipeline (train the single-task networks -> BMN
# branch file -> retrain -> test) on the generated toy data, five tasks, thin MobileNetV2, 48x48
# crops; a minute or two on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/bmn/mnv2_pascal_bmn_toy.py [--work-dir DIR]
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./toy_mnv2_bmn_single.py'),
    retrain=dict(config='../_base_/toy_mnv2_branched.py'),
    test=dict(config='../_base_/toy_mnv2_branched.py', input_size=(64, 64)))
