# Retrain the branched MobileNetV2 + R-ASPP encoder a BMTAS search found on PASCAL-Context at
# full resolution (App. A); the `retrain` and `test` stages of mnv2_pascal_mt.py, which set the
# branch file to the search stage's `branches.yaml`. The Shared setup (mnv2_pascal_mt_shared.py:
# 40000 iterations, SGD lr 0.005 poly, batch 16, Δm against the Single baseline) with the lr of a
# block shared by k tasks divided by k; every block starts from MMPretrain's ImageNet MobileNetV2
# (the backbone's init_cfg, ../_base_/models). Alone it needs the branch file:
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_retrain.py \
#       --cfg-options model.encoder.branches=WORK_DIR/search/branches.yaml
_base_ = ['./mnv2_pascal_mt_shared.py']

# The Shared encoder's blocks (ImageNet initialisation, context module), arranged as the branch
# file says.
model = dict(encoder=dict(structure=None, branches=None))  # branches: required
optim_wrapper = dict(constructor='mmmtnas.SharedBlockLRConstructor')
