"""The SSDHead fix and the FCN-style upsampling head."""
import pytest
import torch
import torch.nn as nn
from det_seg_testing import DET_CLASSES, H, W, det_sample, seg_sample, tiny_model_cfg
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import ConfigDict
from mmengine.registry import init_default_scope

from mmmtnas.registry import MODELS


def _ssd_cfg():
    cfg = dict(tiny_model_cfg()['det_head'])
    for key in ('anchor_generator', 'bbox_coder'):
        cfg[key] = dict(cfg[key], type=cfg[key]['type'].replace('mmdet.', ''))
    cfg['train_cfg'] = None
    return cfg


def _feats():
    torch.manual_seed(0)
    return tuple(torch.randn(1, 8, H // s, W // s) for s in (8, 16, 32))


def test_upstream_ssd_head_predict_fails_and_ours_predicts_same_scores():
    init_default_scope('mmdet')
    upstream = MMDET_MODELS.build(ConfigDict(_ssd_cfg(), type='SSDHead'))
    init_default_scope('mmmtnas')
    ours = MODELS.build(ConfigDict(_ssd_cfg(), type='mmmtnas.SSDHead',
                                   anchor_generator=tiny_model_cfg()['det_head']['anchor_generator'],
                                   bbox_coder=tiny_model_cfg()['det_head']['bbox_coder']))
    ours.load_state_dict(upstream.state_dict())
    feats, samples = _feats(), [det_sample(0)]
    with pytest.raises(AttributeError, match='loss_cls'):  # the mmdet 3.3.0 bug this fixes
        upstream.predict(feats, samples)
    result = ours.predict(feats, samples, rescale=True)[0]
    assert len(result.bboxes) == 20  # max_per_img; score_thr=0 keeps the best 20
    # scores are the softmax over (classes + background) without background, as SSD defines
    cls_scores, _ = ours(feats)
    probs = torch.cat([c.permute(0, 2, 3, 1).reshape(-1, DET_CLASSES + 1) for c in cls_scores])
    probs = probs.softmax(-1)[:, :DET_CLASSES]
    assert float(result.scores.max()) == pytest.approx(float(probs.max()), rel=1e-5)


def test_fcn_head_upsamples_with_relu_then_bn_and_uses_mmseg_loss():
    head = MODELS.build(tiny_model_cfg()['seg_head'])
    layers = list(head.upsamples)
    assert len(layers) == 2
    for layer in layers:
        assert isinstance(layer.conv, nn.ConvTranspose2d) and layer.conv.stride == (2, 2)
        assert layer.order == ('conv', 'act', 'norm')
        assert isinstance(layer.activate, nn.ReLU) and isinstance(layer.bn, nn.BatchNorm2d)
    feats = _feats()
    logits = head(feats)
    assert logits.shape == (1, 5, H // 8 * 4, W // 8 * 4)
    losses = head.loss(feats, [seg_sample(0)], {})
    # mmseg's loss: CE of the logits resized to the label size, by hand
    label = seg_sample(0).gt_sem_seg.data
    up = nn.functional.interpolate(head(feats), size=(H, W), mode='bilinear',
                                   align_corners=False)
    torch.testing.assert_close(losses['loss_ce'],
                               nn.functional.cross_entropy(up, label), rtol=1e-4,
                               atol=1e-5)


def test_fcn_head_rejects_inconsistent_upsample_channels():
    with pytest.raises(ValueError, match='upsample_channels=.*end with channels=8'):
        MODELS.build(dict(tiny_model_cfg()['seg_head'], upsample_channels=(16, 4)))
