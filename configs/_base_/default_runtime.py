# Runtime shared by mmmtnas configs (iteration-based training).
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # a NaN / inf loss or architecture parameter stops the run before anything is saved
    finite_loss=dict(type='mmmtnas.FiniteLossHook'),
    # pictures of the predictions: off unless `tools/test.py --show-dir DIR` (or draw=True)
    visualization=dict(type='mmmtnas.MultiTaskVisualizationHook', draw=False, interval=1,
                       score_thr=0.3))

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))

vis_backends = [dict(type='LocalVisBackend')]
# draws boxes + masks (+ dense maps) of a sample; logs scalars and images like mmengine's
visualizer = dict(
    type='mmmtnas.MultiTaskLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
