# MTNAS (paper Algorithm 1) on the mixed set (BDD100K + Waymo detection, 4 classes; Cityscapes + BDD100K
# segmentation, 16 classes) with the paper's hyper-parameters (§4.2): S1 branch search (det, then seg;
# <= 5k iterations each), S2a ImageNet pre-search, S2b backbone search (<= 10k), finetune of the
# derived network (det:seg = 1:1), test (det/mAP, seg/mIoU, FLOPs, parameters, CPU latency).
# Data layout: docs/data_preparation.md. Stage configs in ./ssd_fcn_mixed/.
runner_type = 'mmmtnas.StagedPipeline'
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
work_dir = './work_dirs/ssd_fcn_mixed'
stage = None  # e.g. --cfg-options stage=s2b runs S2b alone from the files of S1 and S2a
# relative stage configs are found from this file's folder, also from configs inheriting it
stage_config_dir = '{{ fileDirname }}'
input_size = (320, 512)

_s1_det = '{work_dir}/s1_det/checkpoint.pth'
_s1_seg = '{work_dir}/s1_seg/checkpoint.pth'
stages = dict(
    s1_det=dict(config='./ssd_fcn_mixed/s1_det.py', kind='search'),
    s1_seg=dict(config='./ssd_fcn_mixed/s1_seg.py', kind='search'),
    s2a=dict(config='./ssd_fcn_mixed/s2a.py', kind='search'),
    s2b=dict(
        config='./ssd_fcn_mixed/s2b.py',
        kind='search',
        init_from=[
            # backbone alphas and weights from the pre-search
            dict(checkpoint='{work_dir}/s2a/checkpoint.pth',
                 include=['supernet.backbone.', 'supernet.arch_params.backbone__']),
            # each branch (alphas, frozen in S2b, and weights) from its S1 search
            dict(checkpoint=_s1_det,
                 include=['supernet.det_neck.', 'supernet.det_head.',
                          'supernet.arch_params.det_neck__']),
            dict(checkpoint=_s1_seg,
                 include=['supernet.seg_head.', 'supernet.arch_params.seg_head__']),
        ]),
    finetune=dict(
        config='./ssd_fcn_mixed/finetune.py',
        kind='train',
        inputs=['{work_dir}/s2b/genotype.yaml'],
        # the searched weights: by name where the derived network keeps the name and shape
        # (stems, cell pre-processing, heads) and, for the cells, the op kept on each edge
        # inherits that edge's supernet op (PC-DARTS parts excepted)
        init_from=[dict(checkpoint='{work_dir}/s2b/checkpoint.pth', include=['supernet.'],
                        rename={'supernet.': ''}, strict=False, inherit_cells_from='s2b')]),
    test=dict(
        config='./ssd_fcn_mixed/finetune.py',
        kind='test',
        checkpoint='{work_dir}/finetune/checkpoint.pth',
        input_size=input_size),
)
