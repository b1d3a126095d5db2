# TripleNet (Cao et al., CVPR 2019) on the MTL baseline's parts, the blocks its mixed-set and toy
# configs share: the top-down decoder with 2 extra stride-2 levels (strides 64, 128) and the
# multi-scale fused segmentation head (mmseg SegformerHead over all 5 decoder levels). A config
# writes `neck=dict(_base_.triplenet_decoder, ...)` and `seg_head=dict(_base_.triplenet_seg_head,
# ...)` with its widths; both keys are only read there (they also show as top-level keys).
triplenet_decoder = dict(type='mmmtnas.TripleNetDecoder', num_extra_levels=2)
triplenet_seg_head = dict(
    type='mmseg.SegformerHead',
    in_index=[0, 1, 2, 3, 4],
    dropout_ratio=0.1,
    norm_cfg=dict(type='BN', requires_grad=True),
    align_corners=False,
    ignore_index=255,
    loss_decode=dict(type='mmseg.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0))
