# NYUD-v2 multi-task (BMTAS §4.1, App. A): one dict per task = decoder head + loss weight +
# metric + the metric Δm uses and its direction. App. A gives no NYUD weights other than "the same
# setup" and edge class weights 0.8 / 0.2; depth's L1 weight is 1.
nyud_semseg_classes = ('wall', 'floor', 'cabinet', 'bed', 'chair', 'sofa', 'table', 'door',
                       'window', 'bookshelf', 'picture', 'counter', 'blinds', 'desk', 'shelves',
                       'curtain', 'dresser', 'pillow', 'mirror', 'floor mat', 'clothes',
                       'ceiling', 'books', 'refrigerator', 'television', 'paper', 'towel',
                       'shower curtain', 'box', 'whiteboard', 'person', 'night stand', 'toilet',
                       'sink', 'lamp', 'bathtub', 'bag', 'otherstructure', 'otherfurniture',
                       'otherprop')

task_semseg = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=40, postprocess='argmax',
        loss_decode=dict(type='mmseg.CrossEntropyLoss', avg_non_ignore=True,
                         loss_name='loss_ce')),
    weight=1.0,
    metric=dict(type='mmmtnas.DenseIoUMetric', task='semseg', classes=nyud_semseg_classes),
    delta_key='semseg/mIoU', lower_is_better=False)

task_depth = dict(
    head=dict(
        type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=1, postprocess='identity',
        loss_decode=dict(type='mmmtnas.DepthL1Loss')),
    weight=1.0,
    metric=dict(type='mmmtnas.DenseDepthMetric', task='depth'),
    delta_key='depth/rmse_pixel', lower_is_better=True)

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
        loss_decode=dict(type='mmmtnas.BalancedBCELoss', pos_weight=0.8, loss_name='loss_bce')),
    weight=50.0,
    metric=dict(type='mmmtnas.EdgeODSMetric', task='edge', max_dist=0.011),
    delta_key='edge/odsF', lower_is_better=False)

nyud_tasks = dict(semseg=task_semseg, depth=task_depth, normals=task_normals, edge=task_edge)

task_names = list(nyud_tasks)
task_heads = {name: task['head'] for name, task in nyud_tasks.items()}
task_weights = {name: task['weight'] for name, task in nyud_tasks.items()}
task_metrics = [task['metric'] for task in nyud_tasks.values()]
delta_keys = [task['delta_key'] for task in nyud_tasks.values()]
lower_is_better = [task['delta_key'] for task in nyud_tasks.values() if task['lower_is_better']]
