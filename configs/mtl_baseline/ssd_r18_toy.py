# Single-task baseline (paper Table 1/3 "SSD-ResNet18"): the toy MTL baseline without its
# segmentation head, trained on the detection data only (same backbone, FPN, SSD head, schedule).
_base_ = ['./r18_fpn_ssd_fcn_toy.py']
model = dict(seg_head=None, task_weights=dict(_delete_=True))
train_dataloader = dict(seg=None)
val_dataloader = dict(seg=None)
test_dataloader = dict(seg=None)
val_evaluator = dict(seg=None)
test_evaluator = dict(seg=None)
