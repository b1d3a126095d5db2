# Retrain the branched ResNet-50 + ASPP encoder a BMTAS search found on NYUD-v2 at full
# resolution (App. A); the `retrain` and `test` stages of r50_nyud_mt.py, which set the branch
# file to the search stage's `branches.yaml`. The Shared setup (r50_nyud_mt_shared.py: 20000
# iterations, SGD lr 0.005 poly, batch 8, Δm against the Single baseline) with the lr of a block
# shared by k tasks divided by k; every block starts from MMPretrain's ImageNet ResNet-50 (the
# backbone's init_cfg, ../_base_/models). Alone it needs the branch file:
#   python tools/train.py configs/bmtas/r50_nyud_mt_retrain.py \
#       --cfg-options model.encoder.branches=WORK_DIR/search/branches.yaml
_base_ = ['./r50_nyud_mt_shared.py']

# The Shared encoder's blocks (ImageNet initialisation, context module), arranged as the branch
# file says.
model = dict(encoder=dict(structure=None, branches=None))  # branches: required
optim_wrapper = dict(constructor='mmmtnas.SharedBlockLRConstructor')
