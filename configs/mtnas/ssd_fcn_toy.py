# MTNAS (paper Algorithm 1) end to end on the toy driving set, on CPU in minutes:
#   python tools/dataset_converters/make_toy_driving.py --out data/toy_driving
#   python tools/train.py configs/mtnas/ssd_fcn_toy.py
# S1 branch search (det, then seg) -> S2a backbone pre-search (ImageNet-format crops) -> S2b
# backbone search (alternating tasks) -> finetune of the derived network -> test (det/mAP,
# seg/mIoU, FLOPs, parameters, CPU latency). Every stage is an ordinary mmengine runner config
# in ./ssd_fcn_toy/; outputs in work_dir/<stage>/. See mmmtnas.engine.runner.StagedPipeline.
runner_type = 'mmmtnas.StagedPipeline'
default_scope = 'mmmtnas'
custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)
work_dir = './work_dirs/ssd_fcn_toy'
stage = None  # e.g. --cfg-options stage=s2b runs S2b alone from the files of S1 and S2a
# relative stage configs are found from this file's folder, also from configs inheriting it
stage_config_dir = '{{ fileDirname }}'
input_size = (128, 256)

_s1_det = '{work_dir}/s1_det/checkpoint.pth'
_s1_seg = '{work_dir}/s1_seg/checkpoint.pth'
stages = dict(
    s1_det=dict(config='./ssd_fcn_toy/s1_det.py', kind='search'),
    s1_seg=dict(config='./ssd_fcn_toy/s1_seg.py', kind='search'),
    s2a=dict(config='./ssd_fcn_toy/s2a.py', kind='search'),
    s2b=dict(
        config='./ssd_fcn_toy/s2b.py',
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
        config='./ssd_fcn_toy/finetune.py',
        kind='train',
        inputs=['{work_dir}/s2b/genotype.yaml'],
        # the searched weights: by name where the derived network keeps the name and shape
        # (stems, cell pre-processing, heads) and, for the cells, the op kept on each edge
        # inherits that edge's supernet op (PC-DARTS parts excepted)
        init_from=[dict(checkpoint='{work_dir}/s2b/checkpoint.pth', include=['supernet.'],
                        rename={'supernet.': ''}, strict=False, inherit_cells_from='s2b')]),
    test=dict(
        config='./ssd_fcn_toy/finetune.py',
        kind='test',
        checkpoint='{work_dir}/finetune/checkpoint.pth',
        input_size=input_size),
)
