# MTNAS (paper Algorithm 1) on the single set (KITTI detection, 3 classes; Cityscapes
# segmentation, 19 classes) with the paper's hyper-parameters: the stages of ./_base_/ssd_fcn.py
# on the data of ../_base_/datasets/driving_single.py. Data layout: docs/data_preparation.md.
_base_ = ['./_base_/ssd_fcn.py', '../_base_/datasets/driving_single.py']
work_dir = './work_dirs/ssd_fcn_single'
_det_head = dict(num_classes=len(_base_.det_classes))
_seg_head = dict(num_classes=len(_base_.seg_classes))
_det, _seg = _base_.train_dataloader.det.dataset, _base_.train_dataloader.seg.dataset


def _splits(dataset):
    """A search stage's loaders on this set (the search / val splits of ``dataset``)."""
    return dict(train=dict(dataset=dict(dataset=dict(dataset, _delete_=True))),
                val=dict(dataset=dict(dataset=dict(dataset, _delete_=True))))


_derived = dict(model=dict(det_head=_det_head, seg_head=_seg_head),
                train_dataloader=dict(_base_.train_dataloader, _delete_=True),
                test_dataloader=dict(_base_.test_dataloader, _delete_=True),
                test_evaluator=dict(_base_.test_evaluator, _delete_=True))
stages = dict(
    s1_det=dict(model=dict(supernet=dict(det_head=_det_head)), train_dataloader=_splits(_det)),
    s1_seg=dict(model=dict(supernet=dict(seg_head=_seg_head)), train_dataloader=_splits(_seg)),
    s2b=dict(model=dict(supernet=dict(det_head=_det_head, seg_head=_seg_head)),
             train_dataloader=dict(det=_splits(_det), seg=_splits(_seg))),
    finetune=_derived,
    test=_derived)
