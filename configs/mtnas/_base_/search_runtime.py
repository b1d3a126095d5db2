# What every MTNAS search stage shares (paper §4.2; docs/pipeline.md "Search recipe"): the
# PC-DARTS recipe (SGD lr 0.1 annealed by cosine to 0 over the stage; Adam lr 6e-4 for alpha;
# the first 30 % of the stage trains the weights only), batch 32, SyncBN on multi-GPU runs,
# early stop when the derived architecture is unchanged for K checks, the export of the
# searched genotype (<stage dir>/genotype.yaml and a picture).
_base_ = ['../../_base_/default_runtime.py', './search_space.py']
K = 10  # early stop: derived architecture unchanged for K consecutive counted checks
T = 2  # pre-search ends when the backbone normal cell holds more than T skip_connects
# A check: every check_interval iterations the genotype is derived (top-2 edges per node) and
# compared with the previous check's. Checks inside the warm-up (alphas still initial) do not
# count, so the earliest stop is K checks after arch_begin_iter (S1: at iteration 2500).
check_interval = 100
arch_begin_iter = 0.3  # PC-DARTS: alphas from epoch 15 of 50; a float is a fraction of max_iters
search_loader = dict(batch_size=32, num_workers=4, persistent_workers=True,
                     sampler=dict(type='DefaultSampler', shuffle=True))
optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=3e-4),
                 clip_grad=dict(max_norm=5.)),
    arch=dict(optimizer=dict(type='Adam', lr=6e-4, betas=(0.5, 0.999), weight_decay=1e-3)))
# per iteration (PC-DARTS steps per epoch); `end` defaults to the stage's max_iters
param_scheduler = dict(
    weights=[dict(type='CosineAnnealingLR', eta_min=0., by_epoch=False)], arch=[])
train_cfg = dict(type='mmmtnas.SearchLoop', val_interval=10**9,
                 schedule=dict(type='bilevel', arch_begin_iter=arch_begin_iter))
val_cfg = None
test_cfg = None
# The architecture weights (softmax of alpha per edge) go to the visualizer's backends every
# arch_log_interval iterations; the export hook draws them beside every export.
arch_log_interval = 50
custom_hooks = [
    dict(type='mmmtnas.ArchitectureStableStopHook', interval=check_interval, patience=K),
    dict(type='mmmtnas.ArchitectureExportHook', interval=check_interval),
    dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=arch_log_interval),
]
default_hooks = dict(checkpoint=dict(interval=1000, max_keep_ckpts=2))
# Multi-GPU runs normalise over the global batch; CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
