# Toy twin of mnv2_pascal_random.py on the five toy tasks: the toy BMN stage gives the target
# branch file (no five-task toy BMTAS search exists) -> a random tree at its MAdds -> retrain ->
# test, a minute or two on 2 CPU cores.
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 16
#   python tools/train.py configs/comparison/random_branching/mnv2_pascal_random_toy.py
_base_ = ['../_base_/branching_pipeline.py']

stage_config_dir = '{{ fileDirname }}'
stages = dict(
    branching=dict(config='./toy_mnv2_random_single.py',
                   outputs=dict(random_branches='random_branches.yaml')),
    retrain=dict(config='../_base_/toy_mnv2_branched.py',
                 model=dict(encoder=dict(branches='{stages.branching.random_branches}'))),
    test=dict(config='../_base_/toy_mnv2_branched.py', input_size=(64, 64),
              model=dict(encoder=dict(branches='{stages.branching.random_branches}'))))
