# MTNAS (paper Algorithm 1) on the single set (KITTI detection, 3 classes; Cityscapes
# segmentation, 19 classes) with the paper's hyper-parameters: the stages of ./_base_/ssd_fcn.py
# on the data of ../_base_/datasets/driving_single.py. Data layout: docs/data_preparation.md.
_base_ = ['./_base_/ssd_fcn.py', '../_base_/datasets/driving_single.py']
work_dir = './work_dirs/ssd_fcn_single'
# Sizes: the mixed set's network (./_base_/search_space.py) widened from C=72 to C=88, by
# tools/analysis_tools/search_space_flops.py at 320x512: cheapest 7.18, typical (DARTS-V2 cells)
# 12.91, dearest 17.83 GFLOPs (paper: 12.6 G); supernets 0.78 GiB of activations per image.
_levels = [352, 704, 1408]  # 4C, 8C, 16C
_backbone = dict(channels=88)
_det_neck = dict(in_channels=_levels, out_channels=_levels + [512, 256])
_det_head = dict(num_classes=len(_base_.det_classes), in_channels=tuple(_levels + [512, 256]))
_seg_head = dict(num_classes=len(_base_.seg_classes), in_channels=_levels)
_det, _seg = _base_.train_dataloader.det.dataset, _base_.train_dataloader.seg.dataset


def _splits(dataset):
    """A search stage's loaders on this set (the search / val splits of ``dataset``)."""
    return dict(train=dict(dataset=dict(dataset=dict(dataset, _delete_=True))),
                val=dict(dataset=dict(dataset=dict(dataset, _delete_=True))))


_derived = dict(model=dict(backbone=_backbone, det_neck=_det_neck, det_head=_det_head,
                           seg_head=_seg_head),
                train_dataloader=dict(_base_.train_dataloader, _delete_=True),
                test_dataloader=dict(_base_.test_dataloader, _delete_=True),
                test_evaluator=dict(_base_.test_evaluator, _delete_=True))
stages = dict(
    s1_det=dict(model=dict(supernet=dict(backbone=_backbone, det_neck=_det_neck,
                                         det_head=_det_head)), train_dataloader=_splits(_det)),
    s1_seg=dict(model=dict(supernet=dict(backbone=_backbone, seg_head=_seg_head)),
                train_dataloader=_splits(_seg)),
    s2a=dict(model=dict(supernet=dict(backbone=_backbone, head=dict(in_channels=_levels[-1])))),
    s2b=dict(model=dict(supernet=dict(_derived['model'])),
             train_dataloader=dict(det=_splits(_det), seg=_splits(_seg))),
    finetune=_derived,
    test=_derived)
