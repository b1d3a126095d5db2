# Table 1 "Random search [54]" on the toy set: ./_base_/random_search.py with the toy S2b's 40
# iterations; 4 architectures scored on 1 val batch of each task.
_base_ = ['../ssd_fcn_toy.py', './_base_/random_search.py']
work_dir = './work_dirs/random_search_toy'
stage_order = ['random_search', 'finetune', 'test']
stages = dict(
    _base_._random_stages,
    random_search=dict(
        _base_.stages.s2b, **_base_._random_stages.random_search,
        model=dict(_base_.stages.s2b.model, frozen_arch=[]), custom_hooks=[
            dict(type='mmmtnas.RandomSearchHook', num_samples=4, eval_batches=1),
            dict(type='mmmtnas.ArchitectureExportHook', draw=False)]))
