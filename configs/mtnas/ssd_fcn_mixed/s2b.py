# MTNAS S2b, backbone search: the backbone starts from S2a's alphas and weights, the branches
# from S1's (alphas frozen: branch architectures fixed; weights trained). Every iteration takes
# ONE task by the round-robin schedule and runs a bi-level step on that task only: weights on a
# batch of its search split, alphas on a batch of its val split. Stops when the derived
# architecture is unchanged for K checks, or at max_iters.
_base_ = ['../../_base_/datasets/driving_mixed.py', '../../_base_/default_runtime.py',
          './parts.py']
max_iters = 10000
model = dict(
    type='mmmtnas.PartiallyFrozenSearch',
    supernet={{_base_.s2b_supernet}},
    frozen_arch=['det_neck.', 'seg_head.'])
_det_train = {{_base_.train_dataloader.det.dataset}}
_seg_train = {{_base_.train_dataloader.seg.dataset}}
_loader = dict(batch_size={{_base_.search_batch_size}}, num_workers=4, persistent_workers=True,
               sampler=dict(type='DefaultSampler', shuffle=True))
train_dataloader = dict(
    _delete_=True,
    det=dict(train=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det_train,
                                              split='search')),
             val=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det_train,
                                            split='val'))),
    seg=dict(train=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_seg_train,
                                              split='search')),
             val=dict(_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=_seg_train,
                                            split='val'))))
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
optim_wrapper = {{_base_.search_optim_wrapper}}
train_cfg = dict(type='mmmtnas.AlternatingTaskSearchLoop', max_iters=max_iters,
                 schedule='round_robin', val_interval=10**9)
val_cfg = None
test_cfg = None
custom_hooks = {{_base_.search_hooks}}
default_hooks = dict(
    logger=dict(interval=50),
    checkpoint=dict(interval={{_base_.checkpoint_interval}}, max_keep_ckpts=2))
log_processor = dict(window_size=50)
