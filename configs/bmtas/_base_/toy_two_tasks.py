# The data of the BMTAS toy stage configs (toy_mnv2_search.py, toy_mnv2_retrain.py): two of the
# five tasks (semantic segmentation + saliency) of the toy PASCAL-Context data, with its loaders
# (../../_base_/datasets/toy_pascal_mt_loaders.py) restricted to them, and the stand-in ImageNet
# checkpoint that make_toy_dense writes.
_base_ = ['../../_base_/datasets/toy_pascal_mt_loaders.py']

toy_tasks = ('semseg', 'sal')
toy_checkpoint = 'data/toy_dense/stand_in_mobilenet_v2_w0.25.pth'
toy_train_loader = dict(dataset=dict(tasks=toy_tasks))
toy_val_loader = dict(dataset=dict(tasks=toy_tasks))
