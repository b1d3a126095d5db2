# MTNAS §3.1 hand-crafted multi-task baseline: ResNet-18 (no classifier) -> FPN (shared) ->
# SSD detection head over the 5 FPN levels + FCN-style segmentation head (stacked x2 upsampling
# layers, each followed by ReLU and BN) on the stride-8 FPN level; det:seg loss weights 1:1.
# Input 320x512 (H x W). num_classes are placeholders: the final configs set them from the
# dataset config's class tuples.
_base_ = ['./ssd_head.py']
fpn_channels = 128
model = dict(
    type='mmmtnas.DetSegMultiTaskModel',
    data_preprocessor=dict(
        type='mmmtnas.DetSegDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32,
        seg_pad_value=255),
    backbone=dict(
        type='mmdet.ResNet',
        depth=18,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        # paper (Table 1 †, §3.1): ImageNet pre-trained, classifier removed (mmdet's ResNet has
        # none); torchvision's published weights from the torch hub cache (downloaded there if
        # missing), init_cfg=None trains from scratch: docs/pretrained_weights.md
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(
        type='mmdet.FPN',
        in_channels=[64, 128, 256, 512],
        out_channels=fpn_channels,
        start_level=1,
        add_extra_convs='on_output',
        num_outs=5),  # strides 8, 16, 32, 64, 128
    # SSD head over the 5 FPN levels (320x512 anchors: ssd_head.py)
    det_head=dict(_base_.ssd_head, in_channels=(fpn_channels, ) * 5),
    seg_head=dict(
        type='mmmtnas.UpsampleFCNHead',
        in_channels=fpn_channels,
        in_index=0,  # the stride-8 FPN level
        # light, as the paper's FLOPs imply (Table 1/3: FCN-R18 12.1 G vs SSD-R18 13.5 G vs
        # MTL 13.7 G, i.e. a ~0.2 G seg head on a 11.9 G backbone; see get_flops.py)
        channels=16,
        num_upsamples=2,  # stride 8 -> 2; BaseDecodeHead resizes logits to the label size
        num_classes=16,
        dropout_ratio=0.1,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False,
        ignore_index=255,
        loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    task_weights=dict(det=1., seg=1.))
