# Single-task baseline (paper Table 1/3 "FCN-ResNet18"): the mixed MTL baseline without its
# detection head, trained on the segmentation data only (same backbone, FPN, FCN-style head,
# schedule).
_base_ = ['./r18_fpn_ssd_fcn_mixed.py']
model = dict(det_head=None, task_weights=dict(_delete_=True))
train_dataloader = dict(det=None)
val_dataloader = dict(det=None)
test_dataloader = dict(det=None)
val_evaluator = dict(det=None)
test_evaluator = dict(det=None)
default_hooks = dict(checkpoint=dict(save_best="seg/mIoU"))
