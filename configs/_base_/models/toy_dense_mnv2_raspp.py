# A thin dense_mnv2_raspp.py for the toy data: MobileNetV2 widen 0.25 (8 channels at stride 4,
# 80 at stride 16), a 32-channel R-ASPP and 32-channel decoders; no ImageNet checkpoint
# (init_cfg=None: the backbone's own random initialisation).
_base_ = ['./dense_mnv2_raspp.py']

bmtas_backbone = dict(widen_factor=0.25, init_cfg=None)
bmtas_context = dict(channels=32)
model = dict(encoder=dict(backbone=bmtas_backbone, context=bmtas_context),
             head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8))
