# Toy BMTAS search: semantic segmentation + saliency on the generated PASCAL-Context-layout data,
# a thin MobileNetV2 (widen 0.25) + R-ASPP supernet at 48x48 crops; the `search` stage of
# toy_mnv2_pascal.py. Alone:
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
#   python tools/train.py configs/bmtas/toy_mnv2_search.py   # -> WORK_DIR/branches.yaml (+ .png)
# Larger `resource_weight` (lambda, per task and MFLOP at 64x64 here) gives a cheaper derived
# encoder.
_base_ = [
    '../_base_/datasets/toy_pascal_mt.py', '../_base_/tasks/pascal_mt.py',
    '../_base_/models/toy_dense_mnv2_raspp.py', './_base_/search_schedule.py'
]

search_tasks = ('semseg', 'sal')
model = dict(
    _delete_=True,
    type='mmmtnas.BMTASSearch',
    model=dict(
        type='mmmtnas.DenseMultiTaskModel',
        data_preprocessor={{_base_.model.data_preprocessor}},
        encoder=dict(type='mmmtnas.BranchedSupernet', backbone={{_base_.bmtas_backbone}},
                     context={{_base_.bmtas_context}}),
        heads=dict(semseg={{_base_.task_semseg.head}}, sal={{_base_.task_sal.head}}),
        task_weights=dict(semseg={{_base_.task_semseg.weight}}, sal={{_base_.task_sal.weight}}),
        head_defaults={{_base_.model.head_defaults}}),
    # lambda as in mnv2_pascal_mt_search.py (per task, the authors' FLOPs and recursion) at the
    # toy's full resolution, per MFLOP: the toy encoder's 6.5 MFLOPs at 64x64 are about the
    # real one's 4.8 GFLOPs at 512x512, so the paper's lambdas pull about as hard here
    resource_weight=0.05,
    resource_loss=dict(type='mmmtnas.ResourceLoss', mode='paper'),
    cost_metric='flops',
    cost_input_size=(64, 64),
    cost_unit=1e6)

# One training split (source 'train'); the search schedule base declares its 20%/80% parts.
train_dataloader = dict(
    batch_size=4,
    sampler=dict(_delete_=True, type='DefaultSampler', shuffle=True),
    dataset=dict(tasks=search_tasks))
val_dataloader = None
test_dataloader = None

train_cfg = dict(schedule=dict(warmup_iters=30, max_arch_iters=40))
optim_wrapper = dict(weights=dict(optimizer=dict(lr=0.02)))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
