# Toy twin of mnv2_pascal_mt_search.py, the `search` stage of toy_mnv2_pascal.py: the same search
# (schedule, optimisers, update order, Gumbel temperature, ImageNet-style initialisation of every
# copy of every block) where only the data, the sizes and the iteration counts differ: two of the
# five tasks (semantic segmentation + saliency) of the generated PASCAL-Context-layout data, a
# thin MobileNetV2 (widen 0.25) with a 32-channel R-ASPP and decoders at 48x48 crops, batch 4,
# a higher weight lr for the few iterations, and the stand-in ImageNet checkpoint that
# make_toy_dense writes (seeded random weights in MMPretrain's layout) in place of MMPretrain's.
# Alone:
#   python tools/dataset_converters/make_toy_dense.py --out data/toy_dense --num-images 40
#   python tools/train.py configs/bmtas/toy_mnv2_search.py   # -> WORK_DIR/branches.yaml (+ .png)
# Larger `resource_weight` (lambda, per task and MFLOP at 64x64 here) gives a cheaper derived
# encoder.
_base_ = ['./mnv2_pascal_mt_search.py', './_base_/toy_two_tasks.py']

model = dict(
    model=dict(
        encoder=dict(backbone=dict(widen_factor=0.25,
                                   init_cfg=dict(checkpoint=_base_.toy_checkpoint)),
                     context=dict(channels=32)),
        heads=dict(_delete_=True, semseg={{_base_.task_semseg.head}},
                   sal={{_base_.task_sal.head}}),
        task_weights=dict(_delete_=True, semseg={{_base_.task_semseg.weight}},
                          sal={{_base_.task_sal.weight}}),
        head_defaults=dict(in_channels=(8, 32), channels=32, c1_channels=8)),
    # lambda as in mnv2_pascal_mt_search.py (per task, the authors' FLOPs and recursion) at the
    # toy's full resolution, per MFLOP: the toy encoder's 6.5 MFLOPs at 64x64 are about the
    # real one's 4.8 GFLOPs at 512x512, so the paper's lambdas pull about as hard here
    cost_input_size=(64, 64),
    cost_unit=1e6)

train_dataloader = _base_.toy_train_loader

train_cfg = dict(schedule=dict(warmup_iters=30, max_arch_iters=40))
optim_wrapper = dict(weights=dict(optimizer=dict(lr=0.02)))
default_hooks = dict(
    logger=dict(interval=10),
    checkpoint=dict(interval=100, max_keep_ckpts=1))
env_cfg = dict(dist_cfg=dict(backend='gloo'))
