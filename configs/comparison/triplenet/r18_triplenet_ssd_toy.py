# TripleNet on the toy driving set (128x256), with the toy MTL baseline's sizes and recipe
# (../../mtl_baseline/r18_fpn_ssd_fcn_toy.py: ResNet-18 of base width 16, 64 decoder channels,
# anchors for the 128-px side, from scratch, 400 alternating iterations).
_base_ = ['../../mtl_baseline/r18_fpn_ssd_fcn_toy.py', '../_base_/triplenet.py']
channels = 64
model = dict(
    _delete_=True,
    type='mmmtnas.TripleNet',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(_base_.model.backbone, out_indices=(1, 2, 3)),  # 32, 64, 128 channels
    neck=dict(_base_.triplenet_decoder, in_channels=[32, 64, 128], channels=channels),
    det_head=dict(_base_.model.det_head, in_channels=(channels, ) * 5),
    seg_head=dict(_base_.triplenet_seg_head, in_channels=[channels] * 5, channels=32,
                  num_classes=len(_base_.seg_classes)),
    icm_channels=16,
    task_weights=dict(det=1., seg=1.))
