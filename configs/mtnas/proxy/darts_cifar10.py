# DARTS (Liu et al. 2019, second order) searching its CIFAR-10 network, as its train_search.py:
# 8 cells (reductions at 2, 5), C=16, 4 nodes, the CIFAR stem, batch 64, 50 epochs of the 25k
# weight images (391 iterations each), SGD lr 0.025 cosine to 0.001 (momentum 0.9, wd 3e-4,
# clip 5), Adam 3e-4 (betas 0.5/0.999, wd 1e-3) for alpha on the other 25k, unrolled gradient.
# The network is mmpretrain's ImageClassifier (GAP + linear head) around the searchable
# backbone; the genotype file's part `backbone` is what the proxy rows transfer.
_base_ = ['../../_base_/datasets/cifar10_search.py', '../_base_/search_runtime.py']
max_iters = 19550  # 50 epochs x 391
epoch = 391
model = dict(
    type='mmmtnas.BilevelSearchAlgorithm', unroll=True,
    supernet=dict(
        type='mmpretrain.ImageClassifier', data_preprocessor=_base_.cifar_preprocessor,
        backbone=dict(type='mmmtnas.SearchableDartsBackbone', op_names=_base_.op_names,
                      num_nodes=4, multiplier=4, partial_k=1, channels=16, num_cells=8,
                      stem_type='cifar', arch_prefix='backbone'),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10, in_channels=256,
                  loss=dict(type='mmpretrain.CrossEntropyLoss', loss_weight=1.0), topk=(1, ))))
optim_wrapper = dict(
    weights=dict(optimizer=dict(type='SGD', lr=0.025, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.)),
    arch=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)))
param_scheduler = dict(_delete_=True, arch=[], weights=[
    dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=1e-3, by_epoch=False, begin=0,
         end=max_iters)])
train_cfg = dict(max_iters=max_iters, schedule=dict(type='bilevel', arch_begin_iter=0))
val_dataloader = val_evaluator = test_dataloader = test_evaluator = None
custom_hooks = [dict(type='mmmtnas.ArchitectureExportHook', interval=epoch)]
