# DeepLabv3+ with a MobileNetV2 encoder (output stride 16 by dilating the last stages) and an
# R-ASPP, all shared by the tasks ("Shared" baseline, BMTAS §4.1); one DeepLabv3+ decoder per
# task with depthwise-separable convolutions and ReLU6 (App. B). The tasks' heads and loss weights
# come from a configs/_base_/tasks file. Intensities are rescaled to [-1, 1] here.
# ImageNet initialisation: set the backbone's init_cfg to a local MobileNetV2 checkpoint.
# `bmtas_backbone` / `bmtas_context` are the same encoder as BMTAS splits it into layers (its
# supergraph and branched networks, `pretrained=` an MMPretrain MobileNetV2 checkpoint).
norm_cfg = dict(type='BN', requires_grad=True)
mnv2_encoder = dict(
    type='mmmtnas.SharedEncoder',
    backbone=dict(
        type='mmseg.MobileNetV2',
        widen_factor=1.,
        strides=(1, 2, 2, 2, 1, 1, 1),
        dilations=(1, 1, 1, 1, 1, 2, 2),
        out_indices=(1, 6),  # 24 ch at stride 4, 320 ch at stride 16
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU6')),
    low_level_index=0,
    high_level_index=1,
    context=dict(type='mmmtnas.EncoderRASPP', in_channels=320, channels=256, norm_cfg=norm_cfg))
model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=mnv2_encoder,
    head_defaults=dict(
        in_channels=(24, 256), channels=256, c1_channels=48, separable=True,
        norm_cfg=norm_cfg, act_cfg=dict(type='ReLU6')))
bmtas_backbone = dict(type='mmpretrain.MobileNetV2', widen_factor=1., norm_cfg=norm_cfg,
                      act_cfg=dict(type='ReLU6'))
bmtas_context = dict(type='mmmtnas.EncoderRASPP', channels=256, norm_cfg=norm_cfg)
