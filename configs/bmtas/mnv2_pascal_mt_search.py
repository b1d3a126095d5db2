# BMTAS search (Bruggemann et al., BMVC 2020) on PASCAL-Context, five tasks, MobileNetV2 + R-ASPP
# (Table 1); the `search` stage of mnv2_pascal_mt.py. App. A settings: supergraph of 18 layers
# (17 inverted-residual blocks + R-ASPP), each with 5 copies initialised from ImageNet weights;
# 2000 warm-up iterations; then alternating passes over 20% (alpha) and 80% (weights) of the
# training split (./_base_/search_schedule.py); batch 16; images at half resolution (256x256
# crops). Schedule: App. A says alpha is updated "until it has received 40000 updates", but the
# search is reported as 50000 iterations and the reference code runs 160 passes of 250 weight +
# 63 alpha iterations (40000 weight updates, ~9.6k alpha updates); we follow the code.
# Sweep `resource_weight` (lambda as in the paper, see `model`) for the BMTAS-1/2/3
# trade-off. Every copy of every block starts from MMPretrain's ImageNet MobileNetV2 (the
# backbone's init_cfg in ../_base_/models/dense_mnv2_raspp.py); the R-ASPP has no dropout here.
#   python tools/train.py configs/bmtas/mnv2_pascal_mt_search.py   # -> WORK_DIR/branches.yaml
_base_ = [
    '../_base_/datasets/pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/dense_mnv2_raspp.py',
    # weights by SGD as the paper's text says; './_base_/search_optim_authors_code.py' instead
    # for the authors' code (Adam)
    './_base_/search_schedule.py'
]

search_size = (256, 256)
model = dict(
    _delete_=True,
    type='mmmtnas.BMTASSearch',
    model=dict(
        type='mmmtnas.DenseMultiTaskModel',
        data_preprocessor={{_base_.model.data_preprocessor}},
        encoder=dict(type='mmmtnas.BranchedSupernet', backbone={{_base_.bmtas_backbone}},
                     context={{_base_.bmtas_context}}, output_stride=16, last_bn_affine=False),
        heads={{_base_.task_heads}},
        task_weights={{_base_.task_weights}},
        head_defaults={{_base_.model.head_defaults}}),
    update='per_task',  # the paper's update order (App. A); 'summed' departs (docs/bmtas.md)
    # lambda as in the paper: per task, per GFLOP of the encoder's searchable layers counted as
    # the authors count them (FLOPs at the full-resolution 512x512, their recursion); 0.05 is
    # their default; larger gives cheaper networks (towards BMTAS-1), smaller dearer ones
    resource_weight=0.05,
    resource_loss=dict(type='mmmtnas.ResourceLoss', mode='paper'),
    cost_metric='flops',
    cost_input_size=(512, 512),
    cost_unit=1e9)

# Half resolution: the paper's scales 0.5-2.0 applied to half-size images, 256x256 crops.
search_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale', scales=(0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=search_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
# One training split (source 'train'); the search schedule base declares its 20%/80% parts.
train_dataloader = dict(
    batch_size=16,
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=search_pipeline))
val_dataloader = None
test_dataloader = None

train_cfg = dict(schedule=dict(warmup_iters=2000, max_arch_iters=9600))
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
