# mmdet's SSD head as MTNAS uses it (paper §3.1: the MTL baseline and the searched networks):
# anchors on 5 levels (strides 8..128) sized from the 320-px short side of 320x512 inputs
# (SSD512-like ratios; mmdet's SSDAnchorGenerator derives sizes only for square 300/512
# inputs), mmdet's SSD training recipe. Users set num_classes and in_channels.
ssd_head = dict(
    type='mmmtnas.SSDHead',
    num_classes=4,
    in_channels=(128, ) * 5,
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
        assigner=dict(type='mmdet.MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                      min_pos_iou=0., ignore_iof_thr=-1, gt_max_assign_all=False,
                      iou_calculator=dict(type='mmdet.BboxOverlaps2D')),
        sampler=dict(type='mmdet.PseudoSampler'),
        smoothl1_beta=1., allowed_border=-1, pos_weight=-1, neg_pos_ratio=3, debug=False),
    test_cfg=dict(nms_pre=1000, nms=dict(type='nms', iou_threshold=0.45), min_bbox_size=0,
                  score_thr=0.02, max_per_img=200))
