# MTNAS S1, detection branch: search the DARTS SSD branch with the detection loss only (the
# backbone is built from the branch's cells; no segmentation branch takes part). The search
# split of the detection training set trains the weights, the val split the alphas.
_base_ = ['../../_base_/datasets/driving_mixed.py', './search_runtime.py']
model = dict(type='mmmtnas.BilevelSearchAlgorithm', supernet=_base_.s1_det_supernet)
_data = _base_.train_dataloader.det.dataset
train_dataloader = dict(
    _delete_=True,
    train=dict(_base_.search_loader,
               dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='search')),
    val=dict(_base_.search_loader,
             dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='val')))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_cfg = dict(max_iters=5000)
