# Table 1 "Ours†, w/o branch search": no S1. The branches enter S2b with their seeded initial
# alphas, frozen (an arbitrary fixed branch architecture, derived from near-uniform alphas) and
# untrained weights; the backbone is pre-searched (S2a) and searched (S2b) as usual.
_base_ = ['../ssd_fcn_toy.py']
work_dir = './work_dirs/ssd_fcn_toy_without_branch_search'
stage_order = ['s2a', 's2b', 'finetune', 'test']
stages = dict(
    s2b=dict(init_from=[
        dict(checkpoint='{stages.s2a.checkpoint}',
             include=['supernet.backbone.', 'supernet.arch_params.backbone__'])
    ]))
