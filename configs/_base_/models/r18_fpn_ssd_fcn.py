# MTNAS §3.1 hand-crafted multi-task baseline: ResNet-18 (no classifier) -> FPN (shared) ->
# SSD detection head over the 5 FPN levels + FCN-style segmentation head (stacked x2 upsampling
# layers, each followed by ReLU and BN) on the stride-8 FPN level; det:seg loss weights 1:1.
# Input 320x512 (H x W). num_classes are placeholders: the final configs set them from the
# dataset config's class tuples.
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
        # paper: ImageNet pre-trained, classifier removed (mmdet's ResNet has none); needs the
        # torchvision weights in the local torch hub cache, set init_cfg=None to train from
        # scratch
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet18')),
    neck=dict(
        type='mmdet.FPN',
        in_channels=[64, 128, 256, 512],
        out_channels=fpn_channels,
        start_level=1,
        add_extra_convs='on_output',
        num_outs=5),  # strides 8, 16, 32, 64, 128
    det_head=dict(
        type='mmmtnas.SSDHead',
        num_classes=4,
        in_channels=(fpn_channels, ) * 5,
        # 320x512 is not square: anchors are laid on each (non-square) feature grid, and their
        # sizes are set explicitly from the 320-px short side (SSD512-like ratios), since
        # SSDAnchorGenerator derives sizes only for square 300/512 inputs.
        anchor_generator=dict(
            type='mmdet.SSDAnchorGenerator',
            scale_major=False,
            strides=[8, 16, 32, 64, 128],
            ratios=([2], [2, 3], [2, 3], [2, 3], [2]),
            min_sizes=[16, 40, 96, 160, 240],
            max_sizes=[40, 96, 160, 240, 320]),
        bbox_coder=dict(
            type='mmdet.DeltaXYWHBBoxCoder',
            target_means=[.0, .0, .0, .0],
            target_stds=[0.1, 0.1, 0.2, 0.2]),
        train_cfg=dict(
            assigner=dict(
                type='mmdet.MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.5,
                min_pos_iou=0.,
                ignore_iof_thr=-1,
                gt_max_assign_all=False,
                iou_calculator=dict(type='mmdet.BboxOverlaps2D')),
            sampler=dict(type='mmdet.PseudoSampler'),
            smoothl1_beta=1.,
            allowed_border=-1,
            pos_weight=-1,
            neg_pos_ratio=3,
            debug=False),
        test_cfg=dict(
            nms_pre=1000,
            nms=dict(type='nms', iou_threshold=0.45),
            min_bbox_size=0,
            score_thr=0.02,
            max_per_img=200)),
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
