# BMTAS search on NYUD-v2, four tasks, ResNet-50 + ASPP (Table 2); the `search` stage of
# r50_nyud_mt.py. Same setup as mnv2_pascal_mt_search.py with half the iterations (App. A):
# 1000 warm-up iterations, ~4.8k alpha updates in alternating 20% / 80% passes (about 25000
# iterations in all, as reported), batch 8 for ResNet-50, images at 2/3 resolution (283x373
# crops of the 425x560 images). The supergraph has 17 layers (16 bottlenecks, output stride 16
# by dilating the last stage, + ASPP). Every copy of every block starts from MMPretrain's
# ImageNet ResNet-50 (the backbone's init_cfg in ../_base_/models/dense_r50_aspp.py).
#   python tools/train.py configs/bmtas/r50_nyud_mt_search.py   # -> WORK_DIR/branches.yaml
_base_ = [
    '../_base_/datasets/nyud_mt.py', '../_base_/tasks/nyud_mt.py',
    '../_base_/models/dense_r50_aspp.py',
    # weights by SGD as the paper's text says; './_base_/search_optim_authors_code.py' instead
    # for the authors' code (Adam)
    './_base_/search_schedule.py'
]

search_size = (283, 373)  # 2/3 of 425x560
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
    # lambda per task and GFLOP as in mnv2_pascal_mt_search.py, here at the full 425x560. The
    # paper gives no NYUD-v2 lambda: 0.003 x this encoder's 87 GFLOPs is about the authors'
    # 0.05 x MobileNetV2's 4.8 GFLOPs (the resource term pulls about as hard).
    resource_weight=0.003,
    resource_loss=dict(type='mmmtnas.ResourceLoss', mode='paper'),
    cost_metric='flops',
    cost_input_size=(425, 560),
    cost_unit=1e9)

# 2/3 resolution: the paper's scales 0.5-2.0 applied to 2/3-size images.
search_pipeline = [
    dict(type='LoadImageFromFile', to_float32=True),
    dict(type='mmmtnas.LoadDenseAnnotations'),
    dict(type='mmmtnas.DenseRandomScale',
         scales=(0.3333, 0.5, 0.6667, 0.8333, 1.0, 1.1667, 1.3333)),
    dict(type='mmmtnas.DenseRandomCrop', crop_size=search_size),
    dict(type='mmmtnas.DenseRandomFlip', prob=0.5),
    dict(type='mmmtnas.PackDenseInputs'),
]
# One training split (source 'train'); the search schedule base declares its 20%/80% parts.
train_dataloader = dict(
    batch_size=8,
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(pipeline=search_pipeline))
val_dataloader = None
test_dataloader = None

train_cfg = dict(schedule=dict(warmup_iters=1000, max_arch_iters=4800))
# Multi-GPU runs normalise over the global batch (batch statistics per GPU would be a few
# images); CPU (gloo) runs keep plain BN.
sync_bn = 'torch'
