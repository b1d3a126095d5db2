# DeepLabv3+ with a ResNet-50 encoder and an ASPP (BMTAS §4.1; Table 2 and App. D): ResNet-50 at
# output stride 16 (the first block of the last stage gives up its stride and keeps dilation 1,
# the two after it are dilated by 2), an ASPP of 256 channels (rates 1, 6, 12, 18 and image
# pooling, BN in every branch), one DeepLabv3+ decoder per task, 256 channels wide with plain
# 3x3 convolutions. The BMTAS reference code has no ResNet-50: these widths are the ones at which
# the network measures the paper's MAdds (Table 2 and App. D, within 1 %; see
# docs/bmtas_paper_table.md). The tasks' heads and loss weights come from a configs/_base_/tasks
# file. `model` is the "Shared" baseline (one encoder, ASPP included, for all tasks); the encoder
# is the one BMTAS splits into layers (`bmtas_backbone` + `bmtas_context`). ImageNet
# initialisation: MMPretrain's ResNet-50 checkpoint in the stem and every copy of every block.
norm_cfg = dict(type='BN', requires_grad=True)
imagenet_checkpoint = ('https://download.openmmlab.com/mmclassification/v0/resnet/'
                       'resnet50_8xb32_in1k_20210831-ea4938fc.pth')
bmtas_backbone = dict(
    type='mmpretrain.ResNet',
    depth=50,
    norm_cfg=norm_cfg,
    init_cfg=dict(type='Pretrained', checkpoint=imagenet_checkpoint, prefix='backbone.'))
bmtas_context = dict(type='mmmtnas.EncoderASPP', channels=256, dilations=(1, 6, 12, 18),
                     norm_cfg=norm_cfg)
model = dict(
    type='mmmtnas.DenseMultiTaskModel',
    data_preprocessor=dict(
        type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3, bgr_to_rgb=True),
    encoder=dict(type='mmmtnas.BranchedNetwork', structure='all_shared',
                 backbone=bmtas_backbone, context=bmtas_context, output_stride=16),
    head_defaults=dict(
        in_channels=(256, 256), channels=256, c1_channels=48, separable=False,
        norm_cfg=norm_cfg))
