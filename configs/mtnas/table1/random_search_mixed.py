# Table 1 "Random search [54]" on the mixed set: ./_base_/random_search.py; 100 architectures
# scored on 10 val batches of each task after S2b's 10k iterations.
_base_ = ['../ssd_fcn_mixed.py', './_base_/random_search.py']
work_dir = './work_dirs/random_search_mixed'
stage_order = ['random_search', 'finetune', 'test']
stages = dict(
    _base_._random_stages,
    random_search=dict(
        _base_.stages.s2b, **_base_._random_stages.random_search,
        model=dict(frozen_arch=[]), custom_hooks=[
            dict(type='mmmtnas.RandomSearchHook', num_samples=100, eval_batches=10),
            dict(type='mmmtnas.ArchitectureExportHook')]))
