# DeepLabv3+ with a ResNet-50 encoder (output stride 16: last stage dilated) and an ASPP, all
# shared by the tasks ("Shared" baseline, BMTAS §4.1); one DeepLabv3+ decoder per task. The
# tasks' heads and loss weights come from a configs/_base_/tasks file.
# ImageNet initialisation: set the backbone's init_cfg to a local ResNet-50 checkpoint.
# `bmtas_backbone` / `bmtas_context` are the same encoder as BMTAS splits it into layers (its
# supergraph and branched networks, `pretrained=` an MMPretrain ResNet-50 checkpoint).
norm_cfg = dict(type='BN', requires_grad=True)
r50_encoder = dict(
    type='mmmtnas.SharedEncoder',
    backbone=dict(
        type='mmpretrain.ResNet',
        depth=50,
        strides=(1, 2, 2, 1),
        dilations=(1, 1, 1, 2),
        out_indices=(0, 3),  # 256 ch at stride 4, 2048 ch at stride 16
        norm_cfg=norm_cfg),
    low_level_index=0,
    high_level_index=1,
    context=dict(type='mmmtnas.EncoderASPP', in_channels=2048, channels=256,
                 dilations=(1, 6, 12, 18), norm_cfg=norm_cfg))
model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=r50_encoder,
    head_defaults=dict(
        in_channels=(256, 256), channels=256, c1_channels=48, separable=False,
        norm_cfg=norm_cfg))
bmtas_backbone = dict(type='mmpretrain.ResNet', depth=50, norm_cfg=norm_cfg)
bmtas_context = dict(type='mmmtnas.EncoderASPP', channels=256, dilations=(1, 6, 12, 18),
                     norm_cfg=norm_cfg)
