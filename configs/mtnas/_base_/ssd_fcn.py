# MTNAS (paper Algorithm 1) as one mmmtnas.StagedPipeline, at the paper's scale: S1 branch
# search (det, then seg) -> S2a backbone pre-search (ImageNet) -> S2b backbone search
# (alternating tasks, branches frozen at S1's genotypes) -> finetune of the derived network ->
# test (det/mAP, seg/mIoU, FLOPs, parameters, CPU latency). Each stage config is in this
# folder; outputs in work_dir/<stage>/ (docs/pipeline.md).
runner_type = 'mmmtnas.StagedPipeline'
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
stage = None  # e.g. --cfg-options stage=s2b runs S2b alone from the files of S1 and S2a
stage_order = None  # every stage, in the order below
stage_overrides = None  # merged into every stage's config (--cfg-options k=v sets it)
# relative stage configs are found from this file's folder, also from configs inheriting it
stage_config_dir = '{{ fileDirname }}'
input_size = (320, 512)

_search = dict(kind='search', outputs=dict(genotype='genotype.yaml'))  # its export hook's
# the derived network: every part from S2b's genotype file
_derived = dict(model=dict(backbone=dict(genotype='{stages.s2b.genotype}'),
                           det_neck=dict(genotype='{stages.s2b.genotype}'),
                           seg_head=dict(genotype='{stages.s2b.genotype}')))
stages = dict(
    s1_det=dict(_search, config='./s1_det.py'),
    s1_seg=dict(_search, config='./s1_seg.py'),
    s2a=dict(_search, config='./s2a.py'),
    s2b=dict(
        _search,
        config='./s2b.py',
        init_from=[
            # the backbone's alphas and weights from the pre-search
            dict(checkpoint='{stages.s2a.checkpoint}',
                 include=['supernet.backbone.', 'supernet.arch_params.backbone__']),
            # each branch: its architecture (frozen in S2b) from its S1 genotype file, its
            # weights from its S1 checkpoint
            dict(genotype='{stages.s1_det.genotype}', include=['det_neck.']),
            dict(checkpoint='{stages.s1_det.checkpoint}',
                 include=['supernet.det_neck.', 'supernet.det_head.']),
            dict(genotype='{stages.s1_seg.genotype}', include=['seg_head.']),
            dict(checkpoint='{stages.s1_seg.checkpoint}', include=['supernet.seg_head.']),
        ]),
    finetune=dict(
        _derived,
        config='./finetune.py',
        kind='train',
        # the searched weights: by name where the derived network keeps the name and shape
        # (stems, cell pre-processing, heads) and, for the cells, the op kept on each edge
        # inherits that edge's supernet op (PC-DARTS parts excepted: with K=4 no cell op is
        # inherited); metrics.json `init` gives the fraction. From scratch instead:
        # --cfg-options stages.finetune.init_from=None
        init_from=[dict(checkpoint='{stages.s2b.checkpoint}', include=['supernet.'],
                        rename={'supernet.': ''}, strict=False, inherit_cells_from='s2b')]),
    test=dict(_derived, config='./finetune.py', kind='test',
              checkpoint='{stages.finetune.checkpoint}', input_size=input_size),
)
