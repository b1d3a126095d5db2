# The proxy rows of Table 1 on the toy data (configs/mtnas/table1/proxy_*_toy.py): the toy MTNAS
# pipeline (../../ssd_fcn_toy.py) with its search stages replaced by a CIFAR-10 search
# (./pipeline.py) on the toy CIFAR (data/toy_driving/cifar10, written by
# tools/dataset_converters/make_toy_driving.py), sized as the toy search space: 3 cells
# (reductions 1, 2), C=4, 2 nodes, batch 8, 10 iterations; the toy ImageNet pre-training as
# the toy S2a (64x64 crops, 4 classes, 30 iterations).
_base_ = ['../../ssd_fcn_toy.py', './pipeline.py']
stage_order = ['cifar_search', 'finetune', 'test']
_toy_cifar = dict(type='mmmtnas.LocalCIFAR10', data_root='data/toy_driving/cifar10/')
_toy_loader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                   dataset=dict(dataset=_toy_cifar))
stages = dict(
    _base_._proxy_stages,
    cifar_search=dict(
        _base_._proxy_stages.cifar_search,
        model=dict(supernet=dict(backbone=dict(num_nodes=2, multiplier=2, channels=4,
                                               num_cells=3, reduction_cells=(1, 2)),
                                 head=dict(in_channels=32))),
        train_dataloader=dict(train=_toy_loader, val=_toy_loader),
        train_cfg=dict(max_iters=10),
        default_hooks=dict(logger=dict(interval=5), checkpoint=dict(interval=10))),
    imagenet_pretrain=dict(
        _base_._proxy_stages.imagenet_pretrain,
        model=dict(backbone=dict(_base_._backbone, **_base_._proxy_genotype),
                   head=dict(num_classes=4, in_channels=32),
                   data_preprocessor=dict(num_classes=4)),
        train_dataloader=dict(batch_size=8, num_workers=0, persistent_workers=False,
                              dataset=_base_.stages.s2a.train_dataloader.train.dataset.dataset),
        val_dataloader=dict(batch_size=8, num_workers=0, persistent_workers=False,
                            dataset=_base_._cls_val),
        train_cfg=dict(max_iters=30, val_interval=30),
        default_hooks=dict(logger=dict(interval=5), checkpoint=dict(interval=30))))
