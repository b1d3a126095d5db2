# Retrain the branched ResNet-50 + ASPP encoder a BMTAS search found on NYUD-v2 at full
# resolution (App. A); the `retrain` and `test` stages of r50_nyud_mt.py, which set the branch
# file to the search stage's `branches.yaml`. The Shared setup (r50_nyud_mt_shared.py: 20000
# iterations, SGD lr 0.005 poly, batch 8, Δm against the Single baseline) with the lr of a block
# shared by k tasks divided by k. ImageNet initialisation: model.encoder.pretrained = a local
# MMPretrain ResNet-50 checkpoint. Alone it needs the branch file:
#   python tools/train.py configs/bmtas/r50_nyud_mt_retrain.py \
#       --cfg-options model.encoder.branches=WORK_DIR/search/branches.yaml
_base_ = ['./r50_nyud_mt_shared.py']

model = dict(
    encoder=dict(
        _delete_=True,
        type='mmmtnas.BranchedNetwork',
        branches=None,  # required: a branch file written by a BMTAS search
        backbone={{_base_.bmtas_backbone}},
        context={{_base_.bmtas_context}},
        output_stride=16,
        pretrained=None))
optim_wrapper = dict(constructor='mmmtnas.SharedBlockLRConstructor')
