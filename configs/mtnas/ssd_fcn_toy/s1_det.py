# MTNAS S1, detection branch: search the DARTS SSD branch with the detection loss only. The
# backbone is a fresh supernet built from the SAME cells as the branch (its alphas are the
# branch's: 'det_neck.normal' / 'det_neck.reduce'); no segmentation branch takes part. The
# search split of the detection training set trains the weights, the val split the alphas.
_base_ = ['../../_base_/datasets/driving_toy.py', '../../_base_/default_runtime.py',
          './parts.py']
max_iters = 30  # paper: at most 5k
model = dict(type='mmmtnas.BilevelSearchAlgorithm', supernet={{_base_.s1_det_supernet}})
_det_train = {{_base_.train_dataloader.det.dataset}}
train_dataloader = dict(
    _delete_=True,
    train=dict(batch_size={{_base_.search_batch_size}}, num_workers=0, persistent_workers=False,
               sampler=dict(type='DefaultSampler', shuffle=True),
               dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det_train, split='search')),
    val=dict(batch_size={{_base_.search_batch_size}}, num_workers=0, persistent_workers=False,
             sampler=dict(type='DefaultSampler', shuffle=True),
             dataset=dict(type='mmmtnas.DatasetSplit', dataset=_det_train, split='val')))
val_dataloader = None
val_evaluator = None
test_dataloader = None
test_evaluator = None
optim_wrapper = {{_base_.search_optim_wrapper}}
train_cfg = dict(type='mmmtnas.BilevelSearchLoop', max_iters=max_iters, val_interval=10**9)
val_cfg = None
test_cfg = None
custom_hooks = {{_base_.search_hooks}}
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval={{_base_.checkpoint_interval}}, max_keep_ckpts=2))
log_processor = dict(window_size=5)
