# MTAN on MobileNetV2 + R-ASPP (BMTAS Table 1), the settings its paper and toy configs share:
# output stride 16, attention masks as wide as their output (att_reduction=1), refinement blocks
# with depthwise-separable 3x3 convolutions and ReLU6 (BMTAS App. B). A config replaces the
# Shared encoder with `dict(_delete_=True, **_base_.mtan_mnv2_encoder, backbone=..., ...)`;
# `mtan_mnv2_encoder` is only read there (it also shows as a top-level key of the config).
mtan_mnv2_encoder = dict(
    type='mmmtnas.MTANEncoder', output_stride=16, att_reduction=1, separable=True,
    act_cfg=dict(type='ReLU6'))
