"""The toy MTL baseline config, end to end on a tiny toy driving set written in the real
layouts (BDD100K / Waymo COCO JSON, Cityscapes, BDD100K seg): a few iterations, then val."""
import os.path as osp

import pytest
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmmtnas.engine.loops.source_dataloaders import SourceDataLoaders, check_model_tasks
from mmmtnas.registry import MODELS
from mmmtnas.testing import make_toy_driving
from mmmtnas.utils.config_text import unformatted_fromfile

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TOY_CFG = osp.join(REPO, 'configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py')


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('toy_driving')
    make_toy_driving(str(root), num_images=2, seed=5, size=(64, 128), crop_size=32)
    return str(root) + '/'


def _retarget(obj, root):
    """Point every data_root of the config at ``root`` (the config joins its paths when read)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key == 'data_root' and isinstance(value, str):
                obj[key] = value.replace('data/toy_driving/', root)
            else:
                _retarget(value, root)
    elif isinstance(obj, list):
        for item in obj:
            _retarget(item, root)


def _cfg(toy_root, work_dir, **model):
    cfg = unformatted_fromfile(TOY_CFG)  # as tools/train.py loads it
    _retarget(cfg._cfg_dict, toy_root)
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 2
    cfg.param_scheduler = []
    cfg.default_hooks.logger.interval = 1
    cfg.experiment_name = f'toy_e2e_{osp.basename(str(work_dir))}'
    for part, update in model.items():
        cfg.model[part].update(update)
    return cfg


def test_toy_config_trains_one_task_per_iteration_and_reports_both_metrics(toy_root, tmp_path):
    runner = Runner.from_cfg(_cfg(toy_root, tmp_path))
    runner.train()
    loop = runner.train_loop
    # merged classes of the mixed set: 4 detection, 16 segmentation
    meta = loop.dataloader.dataset.metainfo
    assert len(meta['det']['classes']) == 4 and len(meta['seg']['classes']) == 16
    assert runner.message_hub.get_info('train_task_counts') == dict(det=1, seg=1)
    scalars = runner.message_hub.log_scalars
    assert {'train/det.loss_cls', 'train/det.loss_bbox', 'train/seg.loss_ce'} <= set(scalars)
    # iteration 1 was detection only, iteration 2 segmentation only
    assert scalars['train/det.loss_cls'].data[0].size == 1
    assert scalars['train/seg.loss_ce'].data[0].size == 1
    # the validation run at the last iteration (RuntimeInfoHook keeps its metrics as val/...)
    metrics = {k[4:]: v.current() for k, v in scalars.items() if k.startswith('val/')}
    assert {'det/mAP', 'seg/mIoU', 'seg/aAcc'} <= set(metrics)
    assert 0 <= metrics['det/mAP'] <= 1 and 0 <= metrics['seg/mIoU'] <= 100
    assert runner.val_loop.evaluator['seg'].metrics[0].dataset_meta['classes'] == \
        meta['seg']['classes']


def test_head_num_classes_disagreeing_with_config_dataset_fails_in_one_line(toy_root, tmp_path):
    # what the train loop runs when it is built, without a whole Runner
    cfg = _cfg(toy_root, tmp_path, det_head=dict(num_classes=5))
    init_default_scope('mmmtnas')
    model = MODELS.build(cfg.model)
    loaders = SourceDataLoaders(
        {task: Runner.build_dataloader(cfg.train_dataloader[task]) for task in ('det', 'seg')})
    with pytest.raises(ValueError, match=r"det_head.num_classes=5 disagrees with the det dataset "
                       r"train_dataloader.det \(SplitFileDataset\) which has 4 classes") as err:
        check_model_tasks(model, loaders, 'train_dataloader')
    assert '\n' not in str(err.value)
