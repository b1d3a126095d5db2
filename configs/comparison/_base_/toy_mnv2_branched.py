# Retraining stage of the branching baselines' toy pipelines: the five-task toy setup of
# ../../bmtas/toy_mnv2_pascal_shared.py (thin MobileNetV2 + R-ASPP, 48x48 crops, the Shared
# schedule shortened) with the encoder arranged as a branch file says and the lr of a block
# shared by k tasks divided by k, as ../../bmtas/mnv2_pascal_mt_retrain.py does at full scale.
# The pipeline sets the branch file; alone:
#   python tools/train.py configs/comparison/_base_/toy_mnv2_branched.py \
#       --cfg-options model.encoder.branches=FILE
_base_ = ['../../bmtas/toy_mnv2_pascal_shared.py']

model = dict(encoder=dict(structure=None, branches=None))  # branches: required
optim_wrapper = dict(constructor='mmmtnas.SharedBlockLRConstructor')
train_cfg = dict(max_iters=30, val_interval=30)
default_hooks = dict(checkpoint=dict(interval=30))
