# MTNAS Table 1 "TripleNet [53]" (Cao et al., CVPR 2019) on the mixed set, built from the MTL
# baseline's parts and trained with its recipe (alternating det/seg batches, SGD lr 0.01 cosine,
# 150k iterations, 320x512): ResNet-18 encoder + 2 extra stride-2 levels, a top-down decoder
# with attention skip-layer fusion (strides 8..128, 256 channels), the baseline's SSD head on
# the decoder levels through inner-connected modules, multi-scale fused segmentation
# (mmseg SegformerHead over all decoder levels), and the training-only class-aware (per level)
# and class-agnostic (box masks, per level) segmentation supervisions. docs/comparison_driving.md
# says what differs from the paper.
_base_ = ['../../mtl_baseline/r18_fpn_ssd_fcn_mixed.py', '../_base_/triplenet.py']
# The paper gives no decoder width for this network; 256 channels give 22.0 GFLOPs at 320x512
# (get_flops.py) against Table 1's 21.2 G (128 channels: 14.9 G).
channels = 256
model = dict(
    _delete_=True,
    type='mmmtnas.TripleNet',
    data_preprocessor=_base_.model.data_preprocessor,
    backbone=dict(_base_.model.backbone, out_indices=(1, 2, 3)),  # strides 8, 16, 32
    neck=dict(_base_.triplenet_decoder, in_channels=[128, 256, 512], channels=channels),
    det_head=dict(_base_.model.det_head, in_channels=(channels, ) * 5),
    seg_head=dict(_base_.triplenet_seg_head, in_channels=[channels] * 5, channels=64,
                  num_classes=len(_base_.seg_classes)),
    icm_channels=32,
    objectness_loss_weight=1.,
    aux_seg_loss_weight=1.,
    task_weights=dict(det=1., seg=1.))
