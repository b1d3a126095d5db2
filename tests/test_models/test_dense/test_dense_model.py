"""DenseMultiTaskModel with the Shared / Single encoders (BranchedNetwork all_shared /
all_separate) and DeepLabv3+ decoder heads."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmmtnas.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TASKS = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'tasks', 'pascal_mt.py'))
NORM = dict(type='BN')
ENCODER = dict(
    type='mmmtnas.BranchedNetwork', structure='all_shared',
    backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=0.25, norm_cfg=NORM),
    context=dict(type='mmmtnas.EncoderRASPP', channels=16, norm_cfg=NORM))


def _model(tasks=None, encoder=ENCODER, weights=None):
    torch.manual_seed(0)
    return MODELS.build(dict(
        type='mmmtnas.DenseMultiTaskModel', encoder=copy.deepcopy(encoder),
        heads=copy.deepcopy(TASKS.task_heads), tasks=tasks,
        task_weights=weights if weights is not None else dict(TASKS.task_weights),
        head_defaults=dict(in_channels=(8, 16), channels=16, c1_channels=8, norm_cfg=NORM),
        data_preprocessor=dict(type='ImgDataPreprocessor', mean=[127.5] * 3, std=[127.5] * 3)))


def _batch(n=2, h=32, w=32, img_shape=None):
    g = torch.Generator().manual_seed(1)
    samples = []
    for _ in range(n):
        s = SegDataSample(metainfo=dict(img_shape=img_shape or (h, w)))
        s.gt_semseg = PixelData(data=torch.randint(0, 21, (1, h, w), generator=g))
        s.gt_human_parts = PixelData(data=torch.randint(0, 7, (1, h, w), generator=g))
        s.gt_sal = PixelData(data=(torch.rand(1, h, w, generator=g) > 0.5).float())
        n_ = torch.nn.functional.normalize(torch.randn(3, h, w, generator=g), dim=0)
        s.gt_normals = PixelData(data=n_)
        s.gt_edge = PixelData(data=(torch.rand(1, h, w, generator=g) > 0.9).float())
        samples.append(s)
    return torch.rand(n, 3, h, w, generator=g) * 255, samples


@pytest.fixture(scope='module')
def model():
    """One five-task model shared by the tests that do not change its weights."""
    return _model()


def test_loss_has_prefixed_keys_for_every_task_and_backpropagates(model):
    model.train()
    inputs, samples = _batch()
    losses = model.loss(model.data_preprocessor(dict(inputs=list(inputs)))['inputs'], samples)
    for task in TASKS.task_names:
        assert any(k.startswith(f'{task}.loss') for k in losses), task
    assert 'semseg.acc_seg' in losses and 'normals.loss_normals' in losses
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    assert model.encoder.stem.conv1.conv.weight.grad.abs().sum() > 0
    model.zero_grad()


def test_task_weight_scales_that_tasks_loss_only(model):
    model.eval()  # BN on running statistics: both passes see the same network
    inputs, samples = _batch()
    x = inputs / 127.5 - 1
    weights = dict(model.task_weights)
    with torch.no_grad():
        model.task_weights.update(semseg=1.0, edge=1.0)
        base = model.loss(x, samples)
        model.task_weights.update(edge=50.0)
        heavy = model.loss(x, samples)
    model.task_weights.update(weights)
    assert heavy['edge.loss_bce'].item() == pytest.approx(50 * base['edge.loss_bce'].item(),
                                                          rel=1e-5)
    assert heavy['semseg.loss_ce'].item() == pytest.approx(base['semseg.loss_ce'].item())
    assert weights['edge'] == 50.0  # the BMTAS weight from the tasks config


def test_subset_of_tasks_runs_only_those_heads():
    model = _model(tasks=['semseg', 'normals'])
    inputs, samples = _batch()
    losses = model.loss(inputs / 127.5 - 1, samples)
    assert {k.split('.')[0] for k in losses} == {'semseg', 'normals'}
    assert set(model.heads) == {'semseg', 'normals'}


def test_predict_writes_postprocessed_maps_cropped_to_image(model):
    model.eval()
    inputs, samples = _batch(h=32, w=32, img_shape=(27, 30))  # bottom/right padding
    with torch.no_grad():
        out = model.predict(inputs / 127.5 - 1, samples)
    s = out[0]
    assert s.pred_semseg.data.shape == (1, 27, 30) and s.pred_semseg.data.dtype == torch.long
    assert s.pred_human_parts.data.max() < 7
    sal = s.pred_sal.data
    assert sal.shape == (1, 27, 30) and sal.min() >= 0 and sal.max() <= 1
    norms = s.pred_normals.data.norm(dim=0)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-5)


def test_single_baseline_shares_no_block_between_tasks():
    """all_separate: one copy of every block per task after the stem (the only shared part), so
    a task's loss reaches its own blocks and never another task's."""
    model = _model(tasks=['semseg', 'normals'], encoder=dict(ENCODER, structure='all_separate'))
    inputs, samples = _batch()
    losses = model.loss(inputs / 127.5 - 1, samples)
    losses['semseg.loss_ce'].backward()

    def grad(block):
        return sum(p.grad.abs().sum() for p in block.parameters() if p.grad is not None)

    encoder = model.encoder
    assert encoder.layer_names  # every layer: the backbone's blocks and the R-ASPP
    for name in encoder.layer_names:
        assert grad(encoder.block(name, ['semseg'])) > 0, name
        assert grad(encoder.block(name, ['normals'])) == 0, name


def test_missing_ground_truth_names_the_field(model):
    inputs, samples = _batch()
    del samples[0].gt_semseg
    with pytest.raises(KeyError, match='gt_semseg'):
        model.loss(inputs / 127.5 - 1, samples)


def test_head_for_unknown_task_is_rejected():
    with pytest.raises(KeyError, match='depth'):
        _model(tasks=['depth'])
