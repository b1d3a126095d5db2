# A thin dense_mnv2_raspp.py for the toy data: MobileNetV2 widen 0.25 (8 channels at stride 4,
# 80 at stride 16), a 32-channel R-ASPP and 32-channel decoders.
_base_ = ['./dense_mnv2_raspp.py']

mnv2_encoder = dict(backbone=dict(widen_factor=0.25),
                    context=dict(in_channels=80, channels=32))
model = dict(encoder=mnv2_encoder,
             head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8))
bmtas_backbone = dict(widen_factor=0.25)
bmtas_context = dict(channels=32)
