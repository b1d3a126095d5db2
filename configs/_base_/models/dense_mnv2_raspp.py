# DeepLabv3+ with a MobileNetV2 encoder and an R-ASPP as the BMTAS authors build it (BMTAS §4.1,
# App. A/B; their reference code): MobileNetV2 at output stride 16 (the 96->160 block gives up
# its stride and keeps dilation 1, the 160/320 blocks after it are dilated by 2), an R-ASPP of
# 128 channels (BN in both branches; dropout 0.1 before the projection in trained networks), one
# DeepLabv3+ decoder per task, 128 channels wide with depthwise-separable convolutions and
# ReLU6. The tasks' heads and loss weights come from a configs/_base_/tasks file. Intensities
# are rescaled to [-1, 1].
# `model` is the "Shared" baseline: one encoder (R-ASPP included) for all tasks. The encoder is
# the one BMTAS splits into layers (`bmtas_backbone` + `bmtas_context`): the search supergraph,
# the branched networks and the Single baseline (structure='all_separate') are made of its
# blocks. ImageNet initialisation: MMPretrain's MobileNetV2 checkpoint is loaded into the stem
# and into every copy of every block (App. A); point `imagenet_checkpoint` at a local copy to
# train offline.
norm_cfg = dict(type='BN', requires_grad=True)
imagenet_checkpoint = ('https://download.openmmlab.com/mmclassification/v0/mobilenet_v2/'
                       'mobilenet_v2_batch256_imagenet_20200708-3b2dc3af.pth')
bmtas_backbone = dict(
    type='mmpretrain.MobileNetV2',
    widen_factor=1.,
    norm_cfg=norm_cfg,
    act_cfg=dict(type='ReLU6'),
    init_cfg=dict(type='Pretrained', checkpoint=imagenet_checkpoint, prefix='backbone.'))
# no dropout in the search supergraph (the authors' SuperMobileNetV2), 0.1 in trained networks
bmtas_context = dict(type='mmmtnas.EncoderRASPP', channels=128, norm_cfg=norm_cfg)
model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=dict(type='mmmtnas.BranchedNetwork', structure='all_shared',
                 backbone=bmtas_backbone, context=dict(bmtas_context, dropout_ratio=0.1),
                 output_stride=16),
    head_defaults=dict(
        in_channels=(24, 128), channels=128, c1_channels=48, separable=True,
        norm_cfg=norm_cfg, act_cfg=dict(type='ReLU6')))
