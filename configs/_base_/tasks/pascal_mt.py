# PASCAL-Context multi-task (BMTAS §4.1, App. A): one dict per task = decoder head (output
# channels, loss, post-processing) + loss weight + metric + the metric Δm uses and its direction.
# The encoder-dependent head settings (in_channels, channels, norm/act) come from the model's
# `head_defaults`.
pascal_semseg_classes = ('background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus',
                         'car', 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse',
                         'motorbike', 'person', 'pottedplant', 'sheep', 'sofa', 'train',
                         'tvmonitor')
pascal_parts_classes = ('background', 'head', 'torso', 'upper arm', 'lower arm', 'upper leg',
                        'lower leg')

task_semseg = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=21, postprocess='argmax',
        loss_decode=dict(type='mmseg.CrossEntropyLoss', avg_non_ignore=True,
                         loss_name='loss_ce')),
    weight=1.0,
    metric=dict(type='mmmtnas.DenseIoUMetric', task='semseg', classes=pascal_semseg_classes),
    delta_key='semseg/mIoU', lower_is_better=False)

task_human_parts = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=7, postprocess='argmax',
        loss_decode=dict(type='mmseg.CrossEntropyLoss', avg_non_ignore=True,
                         loss_name='loss_ce')),
    weight=2.0,
    metric=dict(type='mmmtnas.DenseIoUMetric', task='human_parts',
                classes=pascal_parts_classes),
    delta_key='human_parts/mIoU', lower_is_better=False)

task_sal = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=1, postprocess='sigmoid',
        loss_decode=dict(type='mmmtnas.BalancedBCELoss', pos_weight=None, loss_name='loss_bce')),
    weight=5.0,
    metric=dict(type='mmmtnas.SaliencyMetric', task='sal'),
    delta_key='sal/maxIoU', lower_is_better=False)

task_normals = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=3, postprocess='normalize',
        loss_decode=dict(type='mmmtnas.NormalsL1Loss')),
    weight=10.0,
    metric=dict(type='mmmtnas.NormalsMetric', task='normals'),
    delta_key='normals/mean', lower_is_better=True)

task_edge = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=1, postprocess='sigmoid',
        loss_decode=dict(type='mmmtnas.BalancedBCELoss', pos_weight=0.95, loss_name='loss_bce')),
    weight=50.0,
    metric=dict(type='mmmtnas.EdgeODSMetric', task='edge', max_dist=0.0075),
    delta_key='edge/odsF', lower_is_better=False)

pascal_tasks = dict(semseg=task_semseg, human_parts=task_human_parts, sal=task_sal,
                    normals=task_normals, edge=task_edge)

# Derived views used by the model and evaluator configs.
task_names = list(pascal_tasks)
task_heads = {name: task['head'] for name, task in pascal_tasks.items()}
task_weights = {name: task['weight'] for name, task in pascal_tasks.items()}
task_metrics = [task['metric'] for task in pascal_tasks.values()]
delta_keys = [task['delta_key'] for task in pascal_tasks.values()]
lower_is_better = [task['delta_key'] for task in pascal_tasks.values() if task['lower_is_better']]
