# Table 1 "Co-search": backbone and both branches searched at once in one alternating-task
# bi-level stage (S2b with nothing frozen and nothing inherited); no S1, no S2a. As the paper
# says (§4.3), co-search fits only 2 images per batch in a 32 GB GPU: batches of 2.
_base_ = ['../ssd_fcn_mixed.py']
work_dir = './work_dirs/co_search_mixed'
stage_order = ['s2b', 'finetune', 'test']
_two = dict(train=dict(batch_size=2), val=dict(batch_size=2))
stages = dict(s2b=dict(init_from=[], model=dict(frozen_arch=[]),
                       train_dataloader=dict(det=_two, seg=_two)))
