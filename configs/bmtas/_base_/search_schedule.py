# BMTAS search schedule (Bruggemann et al., BMVC 2020, App. A): warm-up, then alternating passes
# over 20% (architecture) and 80% (weights) of the training split; alpha by Adam (lr 0.01,
# wd 5e-5, state reset per pass, BN on batch statistics), weights by SGD (lr 0.005, momentum 0.9,
# wd 1e-4, poly: the paper's text; the authors' code uses Adam, see
# ./search_optim_authors_code.py); Gumbel temperature 5.0 -> 0.1, linear in the cycle (one
# 20% + 80% pass, the authors' epoch) and constant within it. At the end the routing is
# discretised into `<work_dir>/branches.yaml` (+ branches.png), the file the retraining reads.
# Method configs set the iteration counts (`train_cfg`), the data and the supergraph.
_base_ = ['../../_base_/default_runtime.py']

# The training split is the source 'train'; its 20% / 80% parts are declared here. The warm-up
# trains on the 80% weight part, as the authors' code does (App. A does not say).
train_cfg = dict(
    type='mmmtnas.SearchLoop',
    schedule=dict(type='bmtas_phases', warmup_source='weights'),
    splits=dict(arch=dict(of='train', split='val', fraction=0.8, seed=0),
                weights=dict(of='train', split='search', fraction=0.8, seed=0)))
val_cfg = None
val_evaluator = None
test_cfg = None
test_evaluator = None

optim_wrapper = dict(
    constructor='mmmtnas.BilevelOptimWrapperConstructor',
    weights=dict(optimizer=dict(type='SGD', lr=0.005, momentum=0.9, weight_decay=1e-4)),
    arch=dict(optimizer=dict(type='Adam', lr=0.01, weight_decay=5e-5)))
param_scheduler = dict(
    weights=[dict(type='PolyLR', eta_min=0.0, power=0.9, by_epoch=False)], arch=[])

# The export hook: the one place that names the exported file (and draws the routing
# probabilities beside it); the routing probabilities of every task and layer go to the
# visualizer's backends every 100 iterations.
custom_hooks = [
    dict(type='mmmtnas.GumbelTemperatureHook', start=5.0, end=0.1, by_cycle=True),
    dict(type='mmmtnas.ArchitectureExportHook', filename='branches.yaml', interval=5000),
    dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=100),
]
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=2))
