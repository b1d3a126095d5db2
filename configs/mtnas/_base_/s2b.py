# MTNAS S2b, backbone search: the backbone starts from S2a's alphas and weights, the branches
# from S1's (alphas frozen: branch architectures fixed; weights trained). Every iteration takes
# ONE task by the round-robin schedule and runs a bi-level step on that task only: weights on a
# batch of its search split, alphas on a batch of its val split. Stops when the derived
# architecture is unchanged for K checks, or at max_iters.
_base_ = ['../../_base_/datasets/driving_mixed.py', './search_runtime.py']
model = dict(type='mmmtnas.PartiallyFrozenSearch', supernet=_base_.s2b_supernet,
             frozen_arch=['det_neck.', 'seg_head.'])
_det, _seg = _base_.train_dataloader.det.dataset, _base_.train_dataloader.seg.dataset
_loader = _base_.search_loader
train_dataloader = dict(
    _delete_=True,
    det=dict(train=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det,
                                              split='search')),
             val=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det,
                                            split='val'))),
    seg=dict(train=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_seg,
                                              split='search')),
             val=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_seg,
                                            split='val'))))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
train_cfg = dict(max_iters=10000, schedule=dict(
    type='task_round_robin', order='round_robin', arch_begin_iter=_base_.arch_begin_iter))
