# MTNAS S2a, backbone pre-search on ImageNet-format data: the backbone supernet with an
# auxiliary mmpretrain classification head (GAP + LinearClsHead, mmpretrain's ImageNet dataset
# and Accuracy); alphas and weights searched together while the normal cell holds <= T
# skip_connects (SkipConnectStopHook), at most max_iters. The branches take no part.
_base_ = ['../../_base_/datasets/imagenet_presearch.py', './search_runtime.py']
max_iters = 10000
model = dict(type='mmmtnas.BilevelSearchAlgorithm', supernet=_base_.s2a_supernet)
_data = _base_.train_dataloader.cls.dataset
train_dataloader = dict(
    _delete_=True,
    train=dict(_base_.search_loader,
               dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='search')),
    val=dict(_base_.search_loader,
             dataset=dict(type='mmmtnas.DatasetSplit', dataset=_data, split='val')))
# Top-1 of the auxiliary head on the ImageNet-format val folder, at the end of the stage.
val_dataloader = dict(
    _delete_=True, batch_size=16, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False), dataset=_base_.val_dataloader.cls.dataset)
val_evaluator = dict(_delete_=True, type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = test_evaluator = None
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(_delete_=True, type='ValLoop')
custom_hooks = [
    dict(type='mmmtnas.SkipConnectStopHook', interval=_base_.check_interval,
         max_skip_connects=_base_.T, parts=['backbone']),
    dict(type='mmmtnas.ArchitectureExportHook', interval=_base_.check_interval),
    dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=_base_.arch_log_interval),
]
