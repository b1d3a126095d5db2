# Stock MMSegmentation FCN on Cityscapes, with the ResNet-50 replaced by a searched DARTS
# backbone. Everything else (data, schedule, heads, losses) is mmseg's own config.
_base_ = 'mmseg::fcn/fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py'

custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
# The channels of the backbone's outputs depend on the genotype (its cells' concat length):
# for another genotype file, tools/analysis_tools/genotype_info.py prints them.
darts_out_channels = [64, 128, 256]

model = dict(
    # EncoderDecoder copies `pretrained` into the backbone; the stock value names a ResNet
    # checkpoint, the DARTS backbone starts from scratch.
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='mmmtnas.DartsBackbone',
        # the file a search writes (here: the published DARTS-V2 cells)
        genotype='{{ fileDirname }}/../genotypes/darts_v2.yaml',
        channels=16,
        num_cells=8,
        stem_type='imagenet',  # cells at strides 8, 16 (from cell 2), 32 (from cell 5)
        out_indices=(1, 4, 7),  # strides 8, 16, 32
        # checked at build time: a genotype with other channels fails naming them
        expected_out_channels=darts_out_channels),
    decode_head=dict(in_channels=darts_out_channels[2], in_index=2),
    auxiliary_head=dict(in_channels=darts_out_channels[1], in_index=1))
