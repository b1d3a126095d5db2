# MTNAS search space and recipe for the toy driving set (128x256), sized for 2 CPU cores:
# DARTS cells with 2 intermediate nodes (paper: 4) and 4 base channels, an ImageNet-style stem
# (the first cell runs at stride 8). Shared by the stage configs of this folder; the mixed and
# single configs override sizes. No data here.
det_seg_input_size = (128, 256)  # (H, W)
op_names = ('none', 'skip_connect', 'max_pool_3x3', 'avg_pool_3x3', 'sep_conv_3x3',
            'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5')
cell = dict(op_names=op_names, num_nodes=2, multiplier=2, partial_k=1)
num_det_classes = 4
num_seg_classes = 16
K = 3  # early stop: derived architecture unchanged for K checks (paper: 10)
T = 2  # pre-search ends when the backbone normal cell holds more than T skip_connects

# Backbone: cells 0 (normal, stride 8), 1 and 2 (reduction: stride 16, 32); multiplier 2 ->
# outputs of 8, 16, 32 channels.
backbone_layout = dict(channels=4, num_cells=3, reduction_cells=(1, 2), stem_type='imagenet',
                       out_indices=(0, 1, 2))
backbone_out = [8, 16, 32]
search_backbone = dict(type='mmmtnas.SearchableDartsBackbone', **cell, **backbone_layout)
det_seg_preprocessor = dict(
    type='mmmtnas.DetSegDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=64,
    seg_pad_value=255)
# Detection branch: the backbone levels + one extra level (a reduction and a normal cell),
# then mmdet's SSDHead on strides 8..64.
det_neck_layout = dict(in_channels=backbone_out, out_channels=backbone_out + [32],
                       normal_cells_per_level=1)
search_det_neck = dict(type='mmmtnas.SearchableDartsSSDNeck', **cell, **det_neck_layout)
det_head = dict(
    type='mmmtnas.SSDHead',
    num_classes=num_det_classes,
    in_channels=tuple(backbone_out + [32]),
    anchor_generator=dict(
        type='mmdet.SSDAnchorGenerator',
        scale_major=False,
        strides=[8, 16, 32, 64],
        ratios=([2], [2, 3], [2, 3], [2]),
        min_sizes=[8, 20, 48, 80],
        max_sizes=[20, 48, 80, 128]),
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
                  score_thr=0.02, max_per_img=100))
# Segmentation branch: FCN-like upsampling path of normal cells over the 3 backbone levels.
seg_head_layout = dict(
    in_channels=backbone_out, in_index=[0, 1, 2], channels=8, num_classes=num_seg_classes,
    dropout_ratio=0., align_corners=False, ignore_index=255,
    loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
search_seg_head = dict(type='mmmtnas.SearchableDartsSegHead', **cell, **seg_head_layout)

# DARTS search optimisers (paper: search lr 0.1; Adam for alpha as DARTS).
search_optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.)),
    arch=dict(optimizer=dict(type='Adam', lr=3e-3, betas=(0.5, 0.999), weight_decay=1e-3)))
search_batch_size = 4
check_interval = 5  # iterations between early-stop checks / genotype exports
# (mmengine writes the whole config text into every checkpoint: seconds on a busy CPU)
checkpoint_interval = 10

# Composed supernets / networks per stage (plain python here: the stage files refer to them).
s1_det_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(search_backbone,
                  arch_names=dict(normal='det_neck.normal', reduce='det_neck.reduce')),
    det_neck=search_det_neck, det_head=det_head)
s1_seg_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(search_backbone, arch_names=dict(normal='seg_head.normal')),
    seg_head=search_seg_head)
s2b_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=search_backbone, det_neck=search_det_neck, det_head=det_head,
    seg_head=search_seg_head, task_weights=dict(det=1., seg=1.))
# The derived network: every part built from the genotype file S2b writes (its branch parts
# are S1's, frozen in S2b); '{work_dir}' is filled in by the pipeline.
final_genotype = '{work_dir}/s2b/genotype.yaml'
derived_model = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(type='mmmtnas.DartsBackbone', genotype=final_genotype, part='backbone',
                  **backbone_layout),
    det_neck=dict(type='mmmtnas.DartsSSDNeck', genotype=final_genotype, part='det_neck',
                  **det_neck_layout),
    det_head=det_head,
    seg_head=dict(type='mmmtnas.DartsSegHead', genotype=final_genotype, part='seg_head',
                  **seg_head_layout),
    task_weights=dict(det=1., seg=1.))  # paper: det:seg = 1:1
# S2a: the backbone supernet with an auxiliary mmpretrain classification head.
num_cls_classes = 4
s2a_supernet = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor', num_classes=num_cls_classes,
                           mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           to_rgb=True),
    backbone=dict(search_backbone, arch_prefix='backbone'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=num_cls_classes,
              in_channels=backbone_out[-1],
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0), topk=(1, )))
search_hooks = [
    dict(type='mmmtnas.ArchitectureStableStopHook', interval=check_interval, patience=K),
    # pictures only at the end (the pipeline draws them); drawing at every check is slow
    dict(type='mmmtnas.GenotypeExportHook', interval=check_interval, draw=False),
]
