# MTNAS search space at the paper's settings (§4.2): input 320x512, PC-DARTS (partial channels
# 1/4 + edge normalisation), DARTS cells with 4 intermediate nodes. The parts, and the supernets /
# derived network each stage composes from them.
# Sizes (ours: the paper gives FLOPs, not channels or cells; docs/mtnas_search_space.md): DARTS's
# ImageNet network (14 cells, reductions at 4 and 9, ImageNet stem) widened from C=48 to C=72,
# SSD extra levels of 512 and 256 channels, a 128-channel segmentation path. Measured by
#   python tools/analysis_tools/search_space_flops.py configs/mtnas/ssd_fcn_mixed.py \
#       --paper-gflops 9.0 --search-memory
# at 320x512 (GFLOPs = 2 x GMACs): cheapest 5.16, typical 9.10, dearest 12.60 GFLOPs; typical =
# the published DARTS-V2 cells in every part (paper: searched 9.0 G; DARTS's cells in its network
# 9.7 G). The S1 / S2b supernets keep 0.64 GiB of activations per 320x512 image for backward:
# ~20 GiB at the paper's batch 32 (one 32 GB GPU, or 2 x 16 with SyncBN).
_base_ = ['../../_base_/models/ssd_head.py']
op_names = ('none', 'skip_connect', 'max_pool_3x3', 'avg_pool_3x3', 'sep_conv_3x3',
            'sep_conv_5x5', 'dil_conv_3x3', 'dil_conv_5x5')
cell = dict(op_names=op_names, num_nodes=4, multiplier=4, partial_k=4)

# Backbone: 14 cells, reductions at 4 and 9; with the ImageNet stem the outputs of cells 3, 8, 13
# are at strides 8, 16, 32 with 4C, 8C, 16C channels.
backbone_layout = dict(channels=72, num_cells=14, reduction_cells=(4, 9), stem_type='imagenet',
                       out_indices=(3, 8, 13))
backbone_out = [288, 576, 1152]
search_backbone = dict(type='mmmtnas.SearchableDartsBackbone', **cell, **backbone_layout)
det_seg_preprocessor = dict(
    type='mmmtnas.DetSegDataPreprocessor', mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
    seg_pad_value=255)  # no size divisor: the cells take odd maps (ceil), 320x512 stays
# Detection branch: the backbone levels + two extra levels (a reduction and a normal cell
# each), then mmdet's SSDHead on strides 8..128 (the baseline's anchors).
det_neck_layout = dict(in_channels=backbone_out, out_channels=backbone_out + [512, 256],
                       normal_cells_per_level=1)
search_det_neck = dict(type='mmmtnas.SearchableDartsSSDNeck', **cell, **det_neck_layout)
det_head = dict(_base_.ssd_head, in_channels=tuple(backbone_out + [512, 256]))
# Segmentation branch: FCN-like upsampling path of normal cells over the 3 backbone levels.
seg_head_layout = dict(
    in_channels=backbone_out, in_index=[0, 1, 2], channels=128, num_classes=16,
    dropout_ratio=0., align_corners=False, ignore_index=255,
    loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
search_seg_head = dict(type='mmmtnas.SearchableDartsSegHead', **cell, **seg_head_layout)

# S1: one branch with a fresh backbone built from the SAME cells as the branch (its alphas are
# the branch's: 'det_neck.normal' / 'det_neck.reduce', or 'seg_head.normal').
s1_det_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(search_backbone,
                  arch_names=dict(normal='det_neck.normal', reduce='det_neck.reduce')),
    det_neck=search_det_neck, det_head=det_head)
s1_seg_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(search_backbone, arch_names=dict(normal='seg_head.normal')),
    seg_head=search_seg_head)
# S2a: the backbone supernet with an auxiliary mmpretrain classification head (ImageNet).
s2a_supernet = dict(
    type='mmpretrain.ImageClassifier',
    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor', num_classes=1000,
                           mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375],
                           to_rgb=True),
    backbone=dict(search_backbone, arch_prefix='backbone'),
    neck=dict(type='mmpretrain.GlobalAveragePooling'),
    head=dict(type='mmpretrain.LinearClsHead', num_classes=1000,
              in_channels=backbone_out[-1],
              loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0), topk=(1, )))
# S2b: backbone and both branches.
s2b_supernet = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=search_backbone, det_neck=search_det_neck, det_head=det_head,
    seg_head=search_seg_head, task_weights=dict(det=1., seg=1.))
# The derived network: every part a fixed DARTS network built from a genotype file (the
# pipeline gives each part's `genotype`: S2b's, whose branch parts are S1's).
derived_model = dict(
    type='mmmtnas.DetSegMultiTaskModel', data_preprocessor=det_seg_preprocessor,
    backbone=dict(type='mmmtnas.DartsBackbone', part='backbone', **backbone_layout),
    det_neck=dict(type='mmmtnas.DartsSSDNeck', part='det_neck', **det_neck_layout),
    det_head=det_head,
    seg_head=dict(type='mmmtnas.DartsSegHead', part='seg_head', **seg_head_layout),
    task_weights=dict(det=1., seg=1.))  # paper: det:seg = 1:1
