# MTNAS S1, segmentation branch: search the DARTS-cell FCN branch with the segmentation loss
# only. The backbone is re-initialised and built from the SAME normal cell as the branch (alpha
# 'seg_head.normal'; its reduction cell has its own alpha); no detection branch takes part.
_base_ = ['../../_base_/datasets/driving_mixed.py', './search_runtime.py']
model = dict(type='mmmtnas.BilevelSearchAlgorithm', supernet=_base_.s1_seg_supernet)
_data = _base_.train_dataloader.seg.dataset
train_dataloader = dict(
    _delete_=True,
    train=dict(_base_.search_loader,
               dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='search')),
    val=dict(_base_.search_loader,
             dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='val')))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_cfg = dict(max_iters=5000)
