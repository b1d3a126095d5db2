# MTNAS search space and recipe at the paper's settings (§4.2): input 320x512, batch 32, search
# lr 0.1, K=10, T=2, PC-DARTS (partial channels 1/4 + edge normalisation), DARTS cells with 4
# intermediate nodes. The network size (16 base channels, 8 backbone cells, reductions at 2
# and 5) is ours: the paper does not give it. Shared by the stage configs of this folder. Single set: KITTI (3 classes) + Cityscapes (19).
det_seg_input_size = (320, 512)  # (H, W)
op_names = ('none', 'skip_connect', 'max_pool_3x3', 'avg_pool_3x3', 'sep_conv_3x3',
            'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5')
cell = dict(op_names=op_names, num_nodes=4, multiplier=4, partial_k=4)
num_det_classes = 3
num_seg_classes = 19
K = 10  # early stop: derived architecture unchanged for K checks
T = 2  # pre-search ends when the backbone normal cell holds more than T skip_connects

# Backbone: 8 cells, reductions at 2 and 5; with the ImageNet stem the outputs of cells 1, 4, 7
# are at strides 8, 16, 32 with 64, 128, 256 channels.
backbone_layout = dict(channels=16, num_cells=8, reduction_cells=(2, 5), stem_type='imagenet',
                       out_indices=(1, 4, 7))
backbone_out = [64, 128, 256]
search_backbone = dict(type='mmmtnas.SearchableDartsBackbone', **cell, **backbone_layout)
det_seg_preprocessor = dict(
    type='mmmtnas.DetSegDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_size_divisor=128,  # stride-2 cells need even maps down to stride 128
    seg_pad_value=255)
# Detection branch: the backbone levels + two extra levels (a reduction and a normal cell
# each), then mmdet's SSDHead on strides 8..128 (the baseline's anchors).
det_neck_layout = dict(in_channels=backbone_out, out_channels=backbone_out + [256, 256],
                       normal_cells_per_level=1)
search_det_neck = dict(type='mmmtnas.SearchableDartsSSDNeck', **cell, **det_neck_layout)
det_head = dict(
    type='mmmtnas.SSDHead',
    num_classes=num_det_classes,
    in_channels=tuple(backbone_out + [256, 256]),
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
# Segmentation branch: FCN-like upsampling path of normal cells over the 3 backbone levels.
seg_head_layout = dict(
    in_channels=backbone_out, in_index=[0, 1, 2], channels=64, num_classes=num_seg_classes,
    dropout_ratio=0., align_corners=False, ignore_index=255,
    loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
search_seg_head = dict(type='mmmtnas.SearchableDartsSegHead', **cell, **seg_head_layout)

# DARTS search optimisers (paper: search lr 0.1; Adam for alpha as DARTS).
search_optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.)),
    arch=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)))
search_batch_size = 32
check_interval = 100  # iterations between early-stop checks / genotype exports
checkpoint_interval = 1000

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
num_cls_classes = 1000
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
