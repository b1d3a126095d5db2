"""PASCAL-Context MT / NYUD-v2 MT loaders on generated data in the real layouts, and transforms."""
import filecmp
import os.path as osp

import numpy as np
import pytest
import torch

from mmmtnas.datasets.dense import (DensePad, DenseRandomCrop, DenseRandomFlip,
                                    DenseRandomScale, NYUDMTDataset, PackDenseInputs,
                                    PascalContextMTDataset)
from mmmtnas.datasets.dense.dense_transforms import flip_dense
from mmmtnas.evaluation.metrics.dense_fields import get_pred_and_gt
from mmmtnas.models.dense.heads import DeepLabV3PlusDecoderHead
from mmmtnas.testing import make_toy_dense

PIPELINE = [dict(type='LoadImageFromFile', to_float32=True),
            dict(type='mmmtnas.LoadDenseAnnotations'),
            dict(type='mmmtnas.PackDenseInputs')]


@pytest.fixture(scope='module')
def toy_roots(tmp_path_factory):
    return make_toy_dense(str(tmp_path_factory.mktemp('toy_dense')), num_images=8, seed=3,
                          size=(40, 48))


def test_toy_generator_is_deterministic(tmp_path, toy_roots):
    again = make_toy_dense(str(tmp_path), num_images=8, seed=3, size=(40, 48))
    for rel in ('JPEGImages/2008_000000.jpg', 'normals_distill/2008_000001.png',
                'ImageSets/Context/val.txt'):
        assert filecmp.cmp(osp.join(toy_roots['pascal'], rel), osp.join(again['pascal'], rel),
                           shallow=False)
    assert filecmp.cmp(osp.join(toy_roots['nyud'], 'depth', '2008_000002.npy'),
                       osp.join(again['nyud'], 'depth', '2008_000002.npy'), shallow=False)
    # the stand-in ImageNet checkpoint: MMPretrain's layout, the same weights again
    first, second = (torch.load(r['checkpoint'], weights_only=True)['state_dict']
                     for r in (toy_roots, again))
    assert first.keys() == second.keys() and all(k.startswith('backbone.') for k in first)
    assert 'backbone.layer7.0.conv.2.conv.weight' in first
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_pascal_loader_reads_all_five_tasks(toy_roots):
    train = PascalContextMTDataset(data_root=toy_roots['pascal'], split='train',
                                   pipeline=PIPELINE)
    val = PascalContextMTDataset(data_root=toy_roots['pascal'], split='val', pipeline=PIPELINE)
    assert (len(train), len(val)) == (6, 2)
    seen_parts = False
    for i in range(len(train)):
        out = train[i]
        sample = out['data_samples']
        assert out['inputs'].shape == (3, 40, 48)
        semseg = sample.gt_semseg.data
        assert semseg.dtype == torch.long and semseg.shape == (1, 40, 48)
        assert set(semseg.unique().tolist()) <= set(range(21))
        parts = sample.gt_human_parts.data
        values = set(parts.unique().tolist())
        # Either person parts (0..6) or a fully ignored map (no person in the image).
        assert values <= set(range(7)) or values == {255}
        seen_parts |= bool(values - {0, 255})
        assert set(sample.gt_sal.data.unique().tolist()) <= {0.0, 1.0}
        assert set(sample.gt_edge.data.unique().tolist()) <= {0.0, 1.0}
        assert sample.gt_edge.data.sum() > 0
        norms = sample.gt_normals.data.norm(dim=0)
        assert torch.allclose(norms[norms > 0], torch.ones(1), atol=0.02)
    assert seen_parts, 'the toy data should contain persons with parts'


def test_pascal_human_parts_follow_the_mat_file(toy_roots):
    from scipy import io as sio
    ds = PascalContextMTDataset(data_root=toy_roots['pascal'], split='train', pipeline=PIPELINE)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        anno = sio.loadmat(info['ann_paths']['human_parts'])['anno'][0, 0]
        persons = [o for o in anno['objects'][0] if int(o['class_ind'].squeeze()) == 15]
        parts = ds[i]['data_samples'].gt_human_parts.data[0]
        if not persons:
            assert (parts == 255).all()
            continue
        head = next(p for p in persons[0]['parts'][0] if str(p['part_name'].squeeze()) == 'head')
        mask = torch.from_numpy(head['mask'].astype(bool))
        # Head pixels are part 1 unless a later object overlaps them.
        assert (parts[mask] == 1).float().mean() > 0.5
        return
    pytest.fail('no image with a person')


def test_nyud_loader_reads_four_tasks_and_ignores_unlabelled(toy_roots):
    ds = NYUDMTDataset(data_root=toy_roots['nyud'], split='val', pipeline=PIPELINE)
    assert len(ds) == 2
    sample = ds[0]['data_samples']
    semseg = sample.gt_semseg.data
    assert (semseg[..., :2] == 255).all()  # on-disk 0 = unlabelled
    assert set(semseg[..., 2:].unique().tolist()) <= set(range(40))
    assert (sample.gt_depth.data[..., :2] == 0).all() and (sample.gt_depth.data[..., 2:] > 0).all()
    assert sample.gt_normals.data.shape == (3, 40, 48)


def test_missing_data_root_is_one_line_error_naming_the_path(tmp_path):
    missing = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere') as err:
        PascalContextMTDataset(data_root=missing, pipeline=[])
    assert '\n' not in str(err.value)
    with pytest.raises(FileNotFoundError, match='nowhere'):
        NYUDMTDataset(data_root=missing, pipeline=[])


def test_unknown_task_is_rejected(toy_roots):
    with pytest.raises(KeyError, match='depth'):
        PascalContextMTDataset(data_root=toy_roots['pascal'], tasks=('depth', ), pipeline=[])


def _results(h=6, w=8, seed=0):
    rng = np.random.default_rng(seed)
    normals = rng.normal(size=(h, w, 3)).astype(np.float32)
    normals /= np.linalg.norm(normals, axis=2, keepdims=True)
    return dict(
        img=rng.random((h, w, 3)).astype(np.float32) * 255,
        gt_semseg=rng.integers(0, 21, (h, w)).astype(np.uint8),
        gt_normals=normals,
        gt_depth=rng.uniform(1, 5, (h, w)).astype(np.float32),
        dense_fields=['gt_semseg', 'gt_normals', 'gt_depth'],
        img_shape=(h, w))


def test_flip_twice_is_identity_and_negates_normals_x():
    res = _results()
    orig = {k: v.copy() for k, v in res.items() if isinstance(v, np.ndarray)}
    once = flip_dense({k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in res.items()})
    np.testing.assert_array_equal(once['gt_normals'][:, ::-1, 0], -orig['gt_normals'][..., 0])
    np.testing.assert_array_equal(once['gt_normals'][:, ::-1, 1:], orig['gt_normals'][..., 1:])
    np.testing.assert_array_equal(once['gt_semseg'][:, ::-1], orig['gt_semseg'])
    twice = flip_dense(once)
    for key, value in orig.items():
        np.testing.assert_array_equal(twice[key], value)


def test_random_flip_transform_records_flip():
    out = DenseRandomFlip(prob=1.0)(_results())
    assert out['flip'] is True and out['flip_direction'] == 'horizontal'
    assert DenseRandomFlip(prob=0.0)(_results())['flip'] is False


def test_random_scale_resizes_all_maps_and_divides_depth():
    res = _results()
    depth = res['gt_depth'].copy()
    out = DenseRandomScale(scales=(2.0, ))(res)
    assert out['img'].shape[:2] == (12, 16)
    assert out['gt_semseg'].shape == (12, 16) and out['gt_normals'].shape == (12, 16, 3)
    # Nearest-neighbour 2x: each source pixel becomes a 2x2 block, depth halved.
    np.testing.assert_allclose(out['gt_depth'][::2, ::2], depth / 2.0, rtol=1e-6)


def test_crop_pads_small_images_with_ignore_values():
    out = DenseRandomCrop(crop_size=(10, 12))(_results(h=6, w=8))
    assert out['img'].shape[:2] == (10, 12)
    assert (out['gt_semseg'][6:] == 255).all() and (out['gt_semseg'][:, 8:] == 255).all()
    assert (out['gt_normals'][6:] == 0).all() and (out['gt_depth'][:, 8:] == 0).all()
    assert np.allclose(out['img'][6:], 127.5)


def test_pad_keeps_unpadded_img_shape_and_centres_the_image_as_the_authors():
    results = _results(h=6, w=8)
    img, semseg = results['img'].copy(), results['gt_semseg'].copy()
    out = DensePad(size=(11, 12))(results)
    assert out['img_shape'] == (6, 8) and out['pad_shape'] == (11, 12)
    # 5 rows and 4 columns of padding: top 2, bottom 3, left 2, right 2 (the authors' PadImage)
    assert out['padding_size'] == (2, 2, 2, 3)
    np.testing.assert_array_equal(out['img'][2:8, 2:10], img)
    np.testing.assert_array_equal(out['gt_semseg'][2:8, 2:10], semseg)
    assert np.allclose(out['img'][:2], 127.5) and (out['gt_semseg'][8:] == 255).all()
    corner = DensePad(size=(11, 12), center=False)(_results(h=6, w=8))
    assert corner['padding_size'] == (0, 4, 0, 5)
    np.testing.assert_array_equal(corner['gt_semseg'][:6, :8], semseg)


def test_centred_padding_is_undone_for_the_prediction_and_the_ground_truth():
    """The head crops its prediction at the image's place and the metrics crop the ground truth
    there too, so a model that predicts the padded ground truth scores perfectly."""
    out = PackDenseInputs()(DensePad(size=(11, 12))(_results(h=6, w=8)))
    meta = out['data_samples'].metainfo
    assert meta['padding_size'] == (2, 2, 2, 3)
    gt = out['data_samples'].gt_semseg.data.float()
    head = DeepLabV3PlusDecoderHead('semseg', in_channels=(4, 4), channels=4, num_classes=1,
                                    postprocess='identity', loss_decode=dict(
                                        type='mmseg.CrossEntropyLoss'))
    pred = head.predict_by_feat(gt[None], [dict(meta, batch_input_shape=(11, 12))])[0]
    assert pred.shape == (1, 6, 8) and (pred != 255).all()
    sample = dict(meta, pred_semseg=dict(data=pred), gt_semseg=dict(data=gt))
    pred, cropped = get_pred_and_gt(sample, 'semseg')
    torch.testing.assert_close(pred, cropped)
