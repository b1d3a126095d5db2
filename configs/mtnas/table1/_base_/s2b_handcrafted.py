# MTNAS S2b with the hand-crafted branches of ./handcrafted_branches.py: only the backbone has
# architecture parameters (nothing to freeze); the branches' weights are trained.
_base_ = ['../../_base_/s2b.py', './handcrafted_branches.py']
model = dict(frozen_arch=[], supernet=dict(
    det_neck=dict(_base_.handcrafted_det_neck, _delete_=True, in_channels=_base_.backbone_out,
                  out_channels=_base_.det_neck_layout.out_channels),
    seg_head=dict(_base_.handcrafted_seg_head, _delete_=True, in_channels=_base_.backbone_out[0],
                  num_classes=_base_.seg_head_layout.num_classes)))
