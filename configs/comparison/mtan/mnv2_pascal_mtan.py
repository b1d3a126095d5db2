# MTAN of BMTAS Table 1 (PASCAL-Context, MobileNetV2 + R-ASPP; paper: 9.5B MAdds, Δm -1.73): a
# shared MobileNetV2 (output stride 16, ImageNet weights), per task an attention mask over the
# last block of each of its 7 stages, shared refinement blocks between stages with
# depthwise-separable 3x3 convolutions (BMTAS App. B) and ReLU6, per task an R-ASPP and a
# DeepLabv3+ decoder. The paper does not describe its MobileNetV2 MTAN further: the masks' hidden
# width equals their output width (MTAN's original attention layer; the ResNet version's 1/4
# leaves 4-8 channels on MobileNetV2), the setting at which the network measures the paper's
# MAdds (docs/comparison_dense.md). Shared schedule (40k iterations, batch 16); Δm against the
# Single baseline's results.
_base_ = ['../../bmtas/mnv2_pascal_mt_shared.py', '../_base_/mtan_mnv2.py']

model = dict(
    encoder=dict(_delete_=True, **_base_.mtan_mnv2_encoder, norm_cfg=_base_.norm_cfg,
                 backbone=_base_.model.encoder.backbone, context=_base_.model.encoder.context))
