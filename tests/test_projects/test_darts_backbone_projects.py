"""The projects/ examples: stock mmdet RetinaNet and mmseg FCN configs whose only model change
is a derived DARTS backbone train 2 iterations on the toy driving data."""
import os.path as osp

import mmdet
import mmseg
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmmtnas.testing import make_toy_driving

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MMSEG_CFG = osp.join(REPO, 'projects/darts_backbone_in_mmseg/configs/'
                     'fcn_darts-v2_4xb2-40k_cityscapes-512x1024.py')
MMDET_CFG = osp.join(REPO, 'projects/darts_backbone_in_mmdet/configs/'
                     'retinanet_darts-v2_fpn_1x_coco.py')
# the upstream configs the projects inherit (shipped in the packages' .mim folders)
STOCK_FCN = osp.join(osp.dirname(mmseg.__file__), '.mim/configs/fcn/'
                     'fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py')
STOCK_RETINANET = osp.join(osp.dirname(mmdet.__file__), '.mim/configs/retinanet/'
                           'retinanet_r50_fpn_1x_coco.py')


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('toy_driving'))
    make_toy_driving(root, num_images=4, seed=0, size=(64, 128))
    return root


def _two_iterations(cfg, work_dir, train_dataloader):
    """Shrink the stock config's data and schedule (not its model) to 2 CPU iterations."""
    cfg.work_dir = str(work_dir)
    cfg.train_dataloader = train_dataloader
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=100)
    for key in ('val_dataloader', 'val_cfg', 'val_evaluator', 'test_dataloader', 'test_cfg',
                'test_evaluator'):
        cfg[key] = None
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = None
    cfg.default_hooks.logger = dict(type='LoggerHook', interval=1)
    cfg.default_hooks.pop('visualization', None)
    cfg.randomness = dict(seed=0)
    cfg.env_cfg = dict(cudnn_benchmark=False, dist_cfg=dict(backend='gloo'),
                       mp_cfg=dict(mp_start_method='fork'))
    runner = Runner.from_cfg(cfg)
    backbone = runner.model.backbone
    assert type(backbone).__name__ == 'DartsBackbone'
    before = {k: v.clone() for k, v in backbone.state_dict().items()}
    runner.train()
    loss = runner.message_hub.get_scalar('train/loss').current()
    changed = [k for k, v in backbone.state_dict().items()
               if v.dtype.is_floating_point and not torch.equal(v, before[k])]
    return loss, changed


def _unscoped(value):
    # drop the `_scope_` markers that the `mmseg::` / `mmdet::` base syntax adds
    if isinstance(value, dict):
        return {k: _unscoped(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return type(value)(_unscoped(v) for v in value)
    return value


def _model_without(cfg, keys):
    model = _unscoped(cfg.model.to_dict())
    for path in keys:
        d = model
        *parents, last = path.split('.')
        for p in parents:
            d = d[p]
        d.pop(last, None)
    return model


def test_mmseg_project_config_changes_only_the_backbone_and_channel_plumbing():
    ours = Config.fromfile(MMSEG_CFG)
    stock = Config.fromfile(STOCK_FCN)
    plumbing = ['backbone', 'pretrained', 'decode_head.in_channels', 'decode_head.in_index',
                'auxiliary_head.in_channels', 'auxiliary_head.in_index']
    assert _model_without(ours, plumbing) == _model_without(stock, plumbing)
    assert _unscoped(ours.train_dataloader.to_dict()) == stock.train_dataloader.to_dict()
    assert ours.custom_imports.imports == ['mmmtnas']


def test_mmdet_project_config_changes_only_the_backbone_and_channel_plumbing():
    ours = Config.fromfile(MMDET_CFG)
    stock = Config.fromfile(STOCK_RETINANET)
    plumbing = ['backbone', 'neck.in_channels', 'neck.start_level']
    assert _model_without(ours, plumbing) == _model_without(stock, plumbing)
    assert _unscoped(ours.train_dataloader.to_dict()) == stock.train_dataloader.to_dict()


def test_stock_fcn_with_darts_backbone_trains_two_iterations(toy_root, tmp_path):
    cfg = Config.fromfile(MMSEG_CFG)
    cfg.model.data_preprocessor.size = (64, 128)  # toy images instead of 512x1024 crops
    dataloader = dict(
        batch_size=2, num_workers=0, persistent_workers=False,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(
            type='CityscapesDataset', data_root=osp.join(toy_root, 'cityscapes'),
            data_prefix=dict(img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
            pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations'),
                      dict(type='RandomFlip', prob=0.5), dict(type='PackSegInputs')]))
    loss, changed = _two_iterations(cfg, tmp_path, dataloader)
    assert 0 < loss < 100
    assert changed  # the DARTS backbone's weights were trained


def test_stock_retinanet_with_darts_backbone_trains_two_iterations(toy_root, tmp_path):
    cfg = Config.fromfile(MMDET_CFG)
    dataloader = dict(
        batch_size=2, num_workers=0, persistent_workers=False,
        sampler=dict(type='InfiniteSampler', shuffle=True),
        dataset=dict(
            type='CocoDataset', data_root=osp.join(toy_root, 'waymo'),
            ann_file='annotations/front_train.json', data_prefix=dict(img='images/train/'),
            metainfo=dict(classes=('vehicle', 'pedestrian', 'sign', 'cyclist')),
            filter_cfg=dict(filter_empty_gt=True),
            pipeline=[dict(type='LoadImageFromFile'),
                      dict(type='LoadAnnotations', with_bbox=True),
                      dict(type='RandomFlip', prob=0.5), dict(type='PackDetInputs')]))
    loss, changed = _two_iterations(cfg, tmp_path, dataloader)
    assert 0 < loss < 100
    assert changed
