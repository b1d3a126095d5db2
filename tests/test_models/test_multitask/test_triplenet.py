"""TripleNet: box masks, decoder levels, the three supervisions and prediction."""
import pytest
import torch
from det_seg_testing import (DET_CLASSES, SEG_CLASSES, H, W, det_sample, images, seg_sample,
                             tiny_model_cfg)

from mmmtnas.models.multitask.triplenet import box_masks


def test_box_masks_mark_the_cells_whose_centres_are_inside_a_box():
    # 32x64 input, 4x8 grid (stride 8): cell centres at 4, 12, 20, ... px
    masks = box_masks([torch.tensor([[4., 4., 20., 20.]]), torch.zeros(0, 4)], (4, 8), (32, 64))
    assert masks.shape == (2, 1, 4, 8)
    expected = torch.zeros(4, 8)
    expected[:3, :3] = 1.
    torch.testing.assert_close(masks[0, 0], expected)
    assert masks[1].sum() == 0  # no box, no foreground


def tiny_triplenet_cfg():
    base = tiny_model_cfg()
    channels = 8
    return dict(
        type='mmmtnas.TripleNet',
        data_preprocessor=base['data_preprocessor'],
        backbone=dict(base['backbone'], out_indices=(1, 2, 3)),  # 8, 16, 32 channels
        neck=dict(type='mmmtnas.TripleNetDecoder', in_channels=[8, 16, 32], channels=channels,
                  num_extra_levels=0),  # strides 8, 16, 32 as the tiny SSD anchors
        det_head=dict(base['det_head'], in_channels=(channels, ) * 3),
        seg_head=dict(type='mmseg.SegformerHead', in_channels=[channels] * 3,
                      in_index=[0, 1, 2], channels=8, num_classes=SEG_CLASSES,
                      dropout_ratio=0., align_corners=False,
                      loss_decode=dict(type='mmseg.CrossEntropyLoss', loss_weight=1.0)),
        icm_channels=4)


@pytest.fixture(scope='module')
def triplenet():
    from mmmtnas.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(tiny_triplenet_cfg())


def _batch(model, task):
    samples = [det_sample(0), det_sample(1)] if task == 'det' else [seg_sample(0), seg_sample(1)]
    return model.data_preprocessor(dict(inputs=images(2), data_samples=samples), True)


def test_decoder_levels_and_objectness_maps(triplenet):
    x = torch.zeros(2, 3, H, W)
    feats, objectness = triplenet.decode(x)
    assert [tuple(f.shape) for f in feats] == [(2, 8, 4, 8), (2, 8, 2, 4), (2, 8, 1, 2)]
    assert [tuple(o.shape) for o in objectness] == [(2, 1, 4, 8), (2, 1, 2, 4), (2, 1, 1, 2)]


def test_each_batch_gets_its_task_supervisions(triplenet):
    triplenet.train()
    det = triplenet.loss(**_batch(triplenet, 'det'))
    assert {'det.loss_cls', 'det.loss_bbox', 'det.loss_objectness'} <= set(det)
    assert not any(k.startswith('seg.') for k in det)
    seg = triplenet.loss(**_batch(triplenet, 'seg'))
    assert {'seg.loss_ce', 'seg.loss_aux_seg'} <= set(seg)
    assert not any(k.startswith('det.') for k in seg)
    # the class-agnostic maps guide the fusions: the segmentation loss reaches the objectness
    # conv of the coarsest level (which only the attention uses on a segmentation batch)
    triplenet.zero_grad()
    triplenet.parse_losses(seg)[0].backward()
    coarse = triplenet.neck.objectness[-1].weight.grad
    assert coarse is not None and coarse.abs().sum() > 0
    # ... and the class-aware ICM logits are trained by it; their embedding is not
    icm = triplenet.det_icm[0]
    assert icm.seg_conv.weight.grad.abs().sum() > 0 and icm.embed.conv.weight.grad is None
    names = set(triplenet.unused_in_some_steps())
    assert 'det_icm.0.embed.conv.weight' in names and 'backbone.conv1.weight' not in names
    triplenet.zero_grad()


def test_objectness_loss_is_the_bce_against_box_masks(triplenet):
    triplenet.train()
    batch = _batch(triplenet, 'det')
    loss = triplenet.loss(**batch)['det.loss_objectness']
    _, objectness = triplenet.decode(batch['inputs'])
    bboxes = [s.gt_instances.bboxes for s in batch['data_samples']]
    expected = torch.stack([
        torch.nn.functional.binary_cross_entropy_with_logits(
            o, box_masks(bboxes, tuple(o.shape[-2:]), (H, W))) for o in objectness]).mean()
    torch.testing.assert_close(loss, expected)


def test_predict_gives_boxes_and_a_full_size_mask(triplenet):
    triplenet.eval()
    batch = _batch(triplenet, 'det')
    with torch.no_grad():
        out = triplenet.predict(batch['inputs'], batch['data_samples'])
    assert out[0].pred_sem_seg.data.shape == (1, H, W)
    assert int(out[0].pred_sem_seg.data.max()) < SEG_CLASSES
    labels = out[0].pred_instances.labels
    assert labels.numel() == 0 or int(labels.max()) < DET_CLASSES


def test_decoder_levels_must_feed_the_det_head():
    from mmmtnas.registry import MODELS
    cfg = tiny_triplenet_cfg()
    cfg['neck']['num_extra_levels'] = 1
    with pytest.raises(ValueError, match='levels'):
        MODELS.build(cfg)
