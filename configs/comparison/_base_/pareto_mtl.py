# Pareto MTL (Lin et al., NeurIPS 2019) around the MTL baseline, the settings its mixed-set and toy
# configs share: K = 5 preference vectors evenly spread over the quarter circle (the paper's),
# this run k = 2 (45 degrees; `--cfg-options model.preference_index=K` for the others), task
# weights from the min-norm problem over the shared (backbone + FPN) gradients, one det and one
# seg batch per iteration. A config writes `model = dict(_delete_=True, **_base_.pareto_mtl,
# architecture=_base_.model, ...)` and `train_cfg = dict(_delete_=True, **_base_.pareto_loop,
# ...)`; both keys are only read there (they also show as top-level keys of the config).
pareto_mtl = dict(
    type='mmmtnas.ParetoMTL', num_preferences=5, preference_index=2,
    shared_modules=('backbone', 'neck'))
pareto_loop = dict(type='mmmtnas.JointTaskTrainLoop')
