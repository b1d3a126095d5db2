# MTNAS (paper Algorithm 1) end to end on the toy driving set, on CPU in minutes:
#   python tools/dataset_converters/make_toy_driving.py --out data/toy_driving
#   python tools/train.py configs/mtnas/ssd_fcn_toy.py
# The stages of ./_base_/ssd_fcn.py, sized for 2 CPU cores: DARTS cells with 2 intermediate
# nodes (paper: 4), 4 base channels, no PC-DARTS, 128x256 inputs, K=3, 30/30/30/40 search and
# 600 finetune iterations (the toy MTL baseline's budget). The search recipe is the paper
# stages' (cosine lr, alphas from 30 % of each stage) with a 5x arch lr for the short budget.
_base_ = ['./_base_/ssd_fcn.py', '../_base_/datasets/driving_toy.py']
work_dir = './work_dirs/ssd_fcn_toy'
input_size = (128, 256)

# The search space: the backbone's cells 0 (normal, stride 8), 1 and 2 (reduction: stride 16,
# 32) give 8, 16, 32 channels; the detection branch adds one level (SSD on strides 8..64).
_cell = dict(num_nodes=2, multiplier=2, partial_k=1)
_levels = [8, 16, 32]
_backbone = dict(channels=4, num_cells=3, reduction_cells=(1, 2), out_indices=(0, 1, 2))
_det_neck = dict(in_channels=_levels, out_channels=_levels + [32])
_seg_head = dict(in_channels=_levels, channels=8)
_det_head = dict(
    in_channels=tuple(_levels + [32]), test_cfg=dict(max_per_img=100),
    anchor_generator=dict(strides=[8, 16, 32, 64], ratios=([2], [2, 3], [2, 3], [2]),
                          min_sizes=[8, 20, 48, 80], max_sizes=[20, 48, 80, 128]))
_bb = dict(_cell, **_backbone)
_search = dict(backbone=_bb)
_det = dict(det_neck=dict(_cell, **_det_neck), det_head=_det_head)
_seg = dict(seg_head=dict(_cell, **_seg_head))


def _splits(dataset, batch_size=4):
    """A search stage's loaders: the weights on the search split, the alphas on the val one."""
    loader = dict(batch_size=batch_size, num_workers=0, persistent_workers=False)
    return dict(train=dict(loader, dataset=dict(dataset=dataset)),
                val=dict(loader, dataset=dict(dataset=dataset)))


def _stage(supernet, max_iters, loaders, hooks=None, train_cfg=None, **cfg):
    """A search stage of this size: its supernet, budget and loaders."""
    return dict(
        cfg, model=dict(supernet=supernet), train_cfg=dict(train_cfg or {}, max_iters=max_iters),
        train_dataloader=loaders, optim_wrapper=dict(arch=dict(optimizer=dict(lr=3e-3))),
        custom_hooks=hooks or [
            dict(type='mmmtnas.ArchitectureStableStopHook', interval=5, patience=3),
            dict(type='mmmtnas.ArchitectureExportHook', interval=5),
            dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=5)],
        # (mmengine writes the whole config text into every checkpoint: seconds on a busy CPU)
        default_hooks=dict(logger=dict(interval=5), checkpoint=dict(interval=10)),
        log_processor=dict(window_size=5))


_data = _base_.train_dataloader
_imagenet = dict(data_root='data/toy_driving/imagenet/',  # as ../_base_/datasets/toy_imagenet.py
                 metainfo=dict(classes=('car', 'person', 'street sign', 'road')))
_cls_val = dict(dataset=_imagenet, pipeline=[
    dict(type='LoadImageFromFile'), dict(type='mmpretrain.ResizeEdge', scale=64, edge='short'),
    dict(type='mmpretrain.CenterCrop', crop_size=64), dict(type='mmpretrain.PackInputs')])
_derived = dict(
    model=dict(backbone=_backbone, det_neck=_det_neck, det_head=_det_head,
               seg_head=_seg_head),
    train_dataloader=dict(_data, _delete_=True),
    test_dataloader=dict(_base_.test_dataloader, _delete_=True))
stages = dict(
    s1_det=_stage(dict(_search, **_det), 30, _splits(_data.det.dataset)),
    s1_seg=_stage(dict(_search, **_seg), 30, _splits(_data.seg.dataset)),
    s2a=_stage(
        dict(backbone=_bb, head=dict(num_classes=4, in_channels=32),
             data_preprocessor=dict(num_classes=4)), 30,
        _splits(dict(dataset=_imagenet, pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='mmpretrain.RandomResizedCrop', scale=64, crop_ratio_range=(0.5, 1.0)),
            dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
            dict(type='mmpretrain.PackInputs')]), batch_size=8),
        hooks=[dict(type='mmmtnas.SkipConnectStopHook', interval=5, max_skip_connects=2,
                    parts=['backbone']),
               dict(type='mmmtnas.ArchitectureExportHook', interval=5),
               dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=5)],
        train_cfg=dict(val_interval=30),
        val_dataloader=dict(num_workers=0, persistent_workers=False, dataset=_cls_val)),
    s2b=_stage(dict(_search, **_det, **_seg), 40,
               dict(det=_splits(_data.det.dataset), seg=_splits(_data.seg.dataset))),
    finetune=dict(
        _derived,
        # as the toy MTL baseline: clipped gradients, linear warm-up, then cosine to 0
        optim_wrapper=dict(optimizer=dict(lr=0.05), clip_grad=dict(max_norm=10.)),
        param_scheduler=[
            dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
            dict(type='CosineAnnealingLR', T_max=550, eta_min=0., by_epoch=False, begin=50,
                 end=600)
        ],
        train_cfg=dict(max_iters=600),
        default_hooks=dict(logger=dict(interval=20),
                           checkpoint=dict(interval=600, max_keep_ckpts=1)),
        log_processor=dict(window_size=20)),
    test=dict(_derived, input_size=input_size))
