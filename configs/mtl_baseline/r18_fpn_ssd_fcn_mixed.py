# MTNAS hand-crafted multi-task baseline (paper §3.1, Table 1 "MTL baseline") on the mixed set:
# ResNet-18 + FPN + SSD head + FCN-style head, det:seg = 1:1, 320x512 input, batches of 32
# images, SGD lr 0.01 cosine, momentum 0.9, wd 3e-5, 150k iterations alternating det/seg batches.
_base_ = [
    '../_base_/models/r18_fpn_ssd_fcn.py',
    '../_base_/datasets/driving_mixed.py',
    '../_base_/schedules/sgd_cosine_150k.py',
    '../_base_/default_runtime.py',
]
input_size = (320, 512)  # (H, W), read by tools/analysis_tools/get_flops.py
model = dict(
    det_head=dict(num_classes=len(_base_.det_classes)),
    seg_head=dict(num_classes=len(_base_.seg_classes)))
default_hooks = dict(checkpoint=dict(save_best='det/mAP', rule='greater'))
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
