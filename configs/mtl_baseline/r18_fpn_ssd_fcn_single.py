# MTNAS hand-crafted multi-task baseline on the single set (KITTI detection, 3 classes +
# Cityscapes segmentation, 19 classes); same network and schedule as the mixed set.
_base_ = [
    '../_base_/models/r18_fpn_ssd_fcn.py',
    '../_base_/datasets/driving_single.py',
    '../_base_/schedules/sgd_cosine_150k.py',
    '../_base_/default_runtime.py',
]
input_size = (320, 512)  # (H, W)
model = dict(
    det_head=dict(num_classes=len(_base_.det_classes)),
    seg_head=dict(num_classes=len(_base_.seg_classes)))
default_hooks = dict(checkpoint=dict(save_best='det/mAP', rule='greater'))
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
