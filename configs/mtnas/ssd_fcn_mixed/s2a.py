# MTNAS S2a, backbone pre-search on ImageNet-format data: the backbone supernet with an
# auxiliary mmpretrain classification head (GAP + LinearClsHead, mmpretrain's ImageNet dataset
# and Accuracy); alphas and weights searched together while the normal cell holds <= T
# skip_connects (SkipConnectStopHook), at most max_iters. The branches take no part (frozen).
_base_ = ['../../_base_/datasets/imagenet_presearch.py', '../../_base_/default_runtime.py',
          './parts.py']
max_iters = 10000
model = dict(type='mmmtnas.BilevelSearchAlgorithm', supernet={{_base_.s2a_supernet}})
_cls_train = {{_base_.train_dataloader.cls.dataset}}
train_dataloader = dict(
    _delete_=True,
    train=dict(batch_size={{_base_.search_batch_size}}, num_workers=4, persistent_workers=True,
               sampler=dict(type='DefaultSampler', shuffle=True),
               dataset=dict(type='mmmtnas.DatasetSplit', dataset=_cls_train, split='search')),
    val=dict(batch_size={{_base_.search_batch_size}}, num_workers=4, persistent_workers=True,
             sampler=dict(type='DefaultSampler', shuffle=True),
             dataset=dict(type='mmmtnas.DatasetSplit', dataset=_cls_train, split='val')))
# Top-1 of the auxiliary head on the ImageNet-format val folder, at the end of the stage.
val_dataloader = dict(
    _delete_=True, batch_size=16, num_workers=4, persistent_workers=True, drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset={{_base_.val_dataloader.cls.dataset}})
val_evaluator = dict(_delete_=True, type='mmpretrain.Accuracy', topk=(1, ))
test_dataloader = None
test_evaluator = None
optim_wrapper = {{_base_.search_optim_wrapper}}
train_cfg = dict(type='mmmtnas.BilevelSearchLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = None
custom_hooks = [
    dict(type='mmmtnas.SkipConnectStopHook', interval={{_base_.check_interval}},
         max_skip_connects={{_base_.T}}, parts=['backbone']),
    dict(type='mmmtnas.GenotypeExportHook', interval={{_base_.check_interval}}, draw=False),
]
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval={{_base_.checkpoint_interval}}, max_keep_ckpts=2))
log_processor = dict(window_size=50)
