# PC-DARTS (Xu et al. 2020) on CIFAR-10, as its train_search.py: DARTS's network with partial
# channels K=4 and edge normalisation, batch 256 (98 iterations per epoch), 50 epochs, SGD lr 0.1
# cosine to 0, Adam 6e-4 for alpha, first order, alphas updated from epoch 15.
_base_ = ['./darts_cifar10.py']
max_iters = 4900  # 50 epochs x 98
epoch = 98
model = dict(unroll=False, supernet=dict(backbone=dict(partial_k=4)))
train_dataloader = dict(train=dict(batch_size=256), val=dict(batch_size=256))
optim_wrapper = dict(weights=dict(optimizer=dict(lr=0.1)), arch=dict(optimizer=dict(lr=6e-4)))
param_scheduler = dict(weights=[dict(type='CosineAnnealingLR', T_max=max_iters, eta_min=0.,
                                     by_epoch=False, begin=0, end=max_iters)])
train_cfg = dict(max_iters=max_iters, schedule=dict(arch_begin_iter=0.3))  # 15 of 50 epochs
custom_hooks = [dict(type='mmmtnas.ArchitectureExportHook', interval=epoch)]
