# Single-task baseline (paper Table 1/3 "FCN-ResNet18"): the single MTL baseline without its
# detection head and without FPN: as in FCN, the head upsamples the backbone's last (stride-32)
# stage, here with 3 x2 layers (this matches the paper's 12.1 GFLOPs: see get_flops.py);
# trained on the segmentation data only, same backbone and schedule.
_base_ = ['./r18_fpn_ssd_fcn_single.py']
model = dict(
    neck=None,
    det_head=None,
    seg_head=dict(in_channels=512, in_index=3, num_upsamples=3),  # stride 32 -> 4
    task_weights=dict(_delete_=True))
train_dataloader = dict(det=None)
val_dataloader = dict(det=None)
test_dataloader = dict(det=None)
val_evaluator = dict(det=None)
test_evaluator = dict(det=None)
default_hooks = dict(checkpoint=dict(save_best="seg/mIoU"))
