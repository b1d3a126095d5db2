# The hand-crafted branches of Table 1 "Ours†, w/o branch search": the MTL baseline's task parts
# (../../../_base_/models/r18_fpn_ssd_fcn.py) on the searched backbone. Detection: SSD's extra
# layers (mmdet SSDNeck: stride-2 levels up to stride 128) before the SSD head; segmentation: the
# baseline's FCN-style head (x2 upsampling layers) on the stride-8 level. The stage configs
# that use them (./s2b_handcrafted.py, ./finetune_handcrafted.py) set their channels.
handcrafted_det_neck = dict(type='mmdet.SSDNeck', level_strides=(2, 2), level_paddings=(1, 1),
                            l2_norm_scale=None)
handcrafted_seg_head = dict(
    type='mmmtnas.UpsampleFCNHead', in_index=0, channels=16, num_upsamples=2, dropout_ratio=0.1,
    norm_cfg=dict(type='BN', requires_grad=True), align_corners=False, ignore_index=255,
    loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
