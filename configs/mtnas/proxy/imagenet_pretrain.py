# The "†" variants' conventional ImageNet pre-training of the transferred backbone: the
# multi-task network's backbone layout built from the CIFAR genotype (the pipeline gives
# `genotype`), with a GAP + linear head, trained on ImageNet-format data; the finetune takes
# its `backbone.` weights. Budget and optimiser as S2a's (10k iterations, batch 32, SGD 0.1,
# cosine), since no published DARTS backbone weights fit this layout.
_base_ = ['../../_base_/datasets/imagenet_presearch.py', '../../_base_/default_runtime.py',
          '../_base_/search_space.py']
max_iters = 10000
model = dict(_base_.s2a_supernet,
             backbone=dict(type='mmmtnas.DartsBackbone', part='backbone',
                           **_base_.backbone_layout))
train_dataloader = dict(_base_.train_dataloader.cls, _delete_=True,
                        sampler=dict(type='DefaultSampler', shuffle=True))
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4),
                     clip_grad=dict(max_norm=5.))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0., by_epoch=False,
                        begin=0, end=max_iters)]
train_cfg = dict(type='mmmtnas.IterTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_dataloader = dict(_base_.val_dataloader.cls, _delete_=True)
val_evaluator = dict(_delete_=True, type='mmpretrain.Accuracy', topk=(1, ))
val_cfg = dict(type='ValLoop')
test_dataloader = test_evaluator = test_cfg = None
sync_bn = 'torch'
