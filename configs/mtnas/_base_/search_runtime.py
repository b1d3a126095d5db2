# What every MTNAS search stage shares (paper §4.2): DARTS bi-level optimisers (search lr 0.1;
# Adam for alpha as DARTS), batch 32, early stop when the derived architecture is unchanged for
# K=10 checks, the export of the searched genotype (<stage dir>/genotype.yaml and a picture).
_base_ = ['../../_base_/default_runtime.py', './search_space.py']
K = 10  # early stop: derived architecture unchanged for K checks
T = 2  # pre-search ends when the backbone normal cell holds more than T skip_connects
check_interval = 100  # iterations between early-stop checks / architecture exports
search_loader = dict(batch_size=32, num_workers=4, persistent_workers=True,
                     sampler=dict(type='DefaultSampler', shuffle=True))
optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.)),
    arch=dict(optimizer=dict(type='Adam', lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)))
train_cfg = dict(type='mmmtnas.SearchLoop', schedule=dict(type='bilevel'), val_interval=10**9)
val_cfg = None
test_cfg = None
custom_hooks = [
    dict(type='mmmtnas.ArchitectureStableStopHook', interval=check_interval, patience=K),
    dict(type='mmmtnas.ArchitectureExportHook', interval=check_interval),
]
default_hooks = dict(checkpoint=dict(interval=1000, max_keep_ckpts=2))
# Multi-GPU runs normalise over the global batch; CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
