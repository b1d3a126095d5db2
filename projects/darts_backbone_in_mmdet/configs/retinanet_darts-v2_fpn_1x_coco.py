# Stock MMDetection RetinaNet on COCO, with the ResNet-50 replaced by a searched DARTS
# backbone. Everything else (data, schedule, FPN, head, losses) is mmdet's own config.
_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'

custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
# The channels of the backbone's outputs depend on the genotype (its cells' concat length):
# for another genotype file, tools/analysis_tools/genotype_info.py prints them.
darts_out_channels = [64, 128, 256]

model = dict(
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
    # the stock FPN skips ResNet's stride-4 level (start_level=1); ours starts at stride 8
    neck=dict(in_channels=darts_out_channels, start_level=0))
