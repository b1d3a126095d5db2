"""DetSegMultiTaskModel: per-task losses, task dispatch, predictions, bad input."""
import pytest
import torch
from det_seg_testing import H, SEG_CLASSES, W, det_sample, images, seg_sample, tiny_model_cfg

from mmmtnas.registry import MODELS


def _loss(model, samples, seed=0):
    data = model.data_preprocessor(dict(inputs=images(len(samples), seed), data_samples=samples),
                                   training=True)
    return model(**data, mode='loss')


def _total(losses, prefix):
    total = 0.
    for name, value in losses.items():
        if name.startswith(prefix) and 'loss' in name:
            total = total + (sum(value) if isinstance(value, list) else value)
    return float(total)


def test_det_only_batch_gives_only_det_losses(tiny_model):
    losses = _loss(tiny_model, [det_sample(0), det_sample(1)])
    assert set(losses) == {'det.loss_cls', 'det.loss_bbox'}
    assert _total(losses, 'det.') > 0


def test_seg_only_batch_gives_only_seg_losses_and_backprops_only_seg(tiny_model):
    losses = _loss(tiny_model, [seg_sample(0), seg_sample(1)])
    assert set(losses) == {'seg.loss_ce', 'seg.acc_seg'}
    # cross entropy of an untrained head is about log(num_classes)
    assert abs(float(losses['seg.loss_ce']) - torch.log(torch.tensor(SEG_CLASSES))) < 0.7
    losses['seg.loss_ce'].backward()
    assert all(p.grad is None for p in tiny_model.det_head.parameters())
    assert any(p.grad is not None for p in tiny_model.seg_head.parameters())


def test_mixed_batch_trains_each_task_on_its_own_labelled_images(tiny_model):
    tiny_model.eval()  # BN on running statistics: per-image results do not depend on the batch
    torch.manual_seed(0)
    mixed = _loss(tiny_model, [det_sample(0, with_seg=True), det_sample(1)])
    # the seg loss from mmdet's gt_sem_seg.sem_seg of image 0 alone equals the mixed batch's
    data = tiny_model.data_preprocessor(
        dict(inputs=images(2), data_samples=[det_sample(0, with_seg=True), det_sample(1)]),
        training=True)
    alone = tiny_model.loss(data['inputs'][:1], data['data_samples'][:1])
    assert set(mixed) == {'det.loss_cls', 'det.loss_bbox', 'seg.loss_ce', 'seg.acc_seg'}
    torch.testing.assert_close(mixed['seg.loss_ce'], alone['seg.loss_ce'])


def test_task_weights_scale_only_their_task_losses():
    torch.manual_seed(0)
    base = MODELS.build(tiny_model_cfg())
    torch.manual_seed(0)
    weighted = MODELS.build(tiny_model_cfg(task_weights=dict(seg=3.)))
    weighted.load_state_dict(base.state_dict())
    for model in (base, weighted):
        model.eval()
    a = _loss(base, [seg_sample(0)])
    b = _loss(weighted, [seg_sample(0)])
    torch.testing.assert_close(b['seg.loss_ce'], 3 * a['seg.loss_ce'])
    torch.testing.assert_close(b['seg.acc_seg'], a['seg.acc_seg'])  # not a loss: unweighted
    assert weighted.task_weights == dict(det=1., seg=3.)


def test_predict_returns_boxes_and_seg_map_for_every_image(tiny_model):
    tiny_model.eval()
    for samples in ([det_sample(0), det_sample(1)], [seg_sample(0), seg_sample(1)]):
        data = tiny_model.data_preprocessor(dict(inputs=images(2), data_samples=samples))
        with torch.no_grad():
            out = tiny_model(**data, mode='predict')
        for sample in out:
            assert {'bboxes', 'scores', 'labels'} <= set(sample.pred_instances.keys())
            assert sample.pred_instances.bboxes.shape[1] == 4
            seg = sample.pred_sem_seg.data
            assert seg.shape == (1, H, W)
            assert 0 <= int(seg.min()) and int(seg.max()) < SEG_CLASSES


def test_predict_crops_padding_and_rescales_seg_to_original_size(tiny_model):
    tiny_model.eval()
    sample = seg_sample(0)
    # a 24x40 network input (padded to 32x64 by the preprocessor) of a 48x80 original image
    sample.set_metainfo(dict(img_shape=(24, 40), ori_shape=(48, 80), scale_factor=(.5, .5)))
    img = images(1)[0][:, :24, :40]
    data = tiny_model.data_preprocessor(dict(inputs=[img], data_samples=[sample]))
    assert data['inputs'].shape[-2:] == (32, 64)
    with torch.no_grad():
        out = tiny_model(**data, mode='predict')
    assert out[0].pred_sem_seg.data.shape == (1, 48, 80)
    assert out[0].pred_instances.bboxes[:, 2].max() <= 80 + 1e-3  # boxes rescaled too


def test_tensor_mode_returns_raw_outputs_of_each_head(tiny_model):
    (cls_scores, bbox_preds), seg_logits = tiny_model(torch.zeros(2, 3, H, W))
    assert len(cls_scores) == 3 and cls_scores[0].shape[-2:] == (H // 8, W // 8)
    assert seg_logits.shape == (2, SEG_CLASSES, H // 2, W // 2)


def test_single_task_model_has_one_head_and_ignores_other_labels():
    model = MODELS.build(tiny_model_cfg(seg_head=None))
    assert model.tasks == ('det', )
    losses = _loss(model, [det_sample(0, with_seg=True)])
    assert set(losses) == {'det.loss_cls', 'det.loss_bbox'}
    with pytest.raises(ValueError, match=r"no sample of the batch is labelled.*\['det'\]"):
        _loss(model, [seg_sample(0)])


@pytest.mark.parametrize('overrides, match', [
    (dict(task_weights=dict(det=1., depth=1.)), r"task_weights has unknown task\(s\) \['depth'\]"),
    (dict(det_head=None, seg_head=None), 'needs det_head, seg_head or both'),
])
def test_bad_model_config_raises_one_line(overrides, match):
    with pytest.raises(ValueError, match=match) as err:
        MODELS.build(tiny_model_cfg(**overrides))
    assert '\n' not in str(err.value)


def test_num_classes_disagreeing_with_dataset_names_both(tiny_model):
    tiny_model.check_dataset_meta('seg', dict(classes=tuple('abcde')), 'seg set')
    with pytest.raises(ValueError, match=r"det_head.num_classes=3 disagrees with the det "
                       r"dataset cocoish which has 4 classes \('car',") as err:
        tiny_model.check_dataset_meta('det', dict(classes=('car', 'bus', 'ped', 'bike')),
                                      'cocoish')
    assert '\n' not in str(err.value)
