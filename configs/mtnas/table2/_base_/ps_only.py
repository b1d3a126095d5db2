# Table 2 "PS": the pre-searched backbone as it is: no S2b. The derived network takes the
# backbone's cells from S2a's genotype and each branch's from its S1 genotype; the finetune
# starts from those stages' weights (the branches' from S1, the backbone's from S2a).
ps_only_order = ['s1_det', 's1_seg', 's2a', 'finetune', 'test']
_ps_derived = dict(model=dict(backbone=dict(genotype='{stages.s2a.genotype}'),
                              det_neck=dict(genotype='{stages.s1_det.genotype}'),
                              seg_head=dict(genotype='{stages.s1_seg.genotype}')))
_ps_inherit = [  # the last source wins: S2a's backbone cells over S1's (the S1 supernets have one)
    dict(checkpoint=f'{{stages.{stage}.checkpoint}}', include=[f'supernet.{p}.' for p in parts],
         rename={'supernet.': ''}, strict=False, inherit_cells_from=stage)
    for stage, parts in [('s1_det', ['det_neck', 'det_head']), ('s1_seg', ['seg_head']),
                         ('s2a', ['backbone'])]]
ps_only_stages = dict(finetune=dict(_ps_derived, init_from=_ps_inherit), test=_ps_derived)
