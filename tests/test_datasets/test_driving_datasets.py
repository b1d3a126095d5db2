"""Driving dataset configs on the toy set: merged classes, mapped labels, masks, bad input."""
import json
import os
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.datasets.driving import (CheckSegLabels, ClassMergeDataset, DataRootNotFoundError,
                                      SegLabelError, UnknownCategoryError, build_label_table)
from mmmtnas.datasets.split_files import read_split_file
from mmmtnas.registry import DATASETS
from mmmtnas.testing.toy_driving import _scene

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets')
# The mixed-set tables written out independently of the config (see its comment).
DET4 = ('vehicle', 'pedestrian', 'cyclist', 'traffic sign')
BDD_TO_DET4 = {'pedestrian': 1, 'rider': 2, 'car': 0, 'truck': 0, 'bus': 0, 'motorcycle': 0,
               'traffic sign': 3}  # train, bicycle, traffic light: dropped
WAYMO_TO_DET4 = {'vehicle': 0, 'pedestrian': 1, 'cyclist': 2, 'sign': 3}
# 19 Cityscapes trainIds -> 16: car(13), truck(14), bus(15), motorcycle(17) -> vehicle(13),
# train(16) -> 14, bicycle(18) -> 15.
SEG19_TO_16 = np.full(256, 255, np.uint8)
SEG19_TO_16[:13] = np.arange(13)
SEG19_TO_16[[13, 14, 15, 17]] = 13
SEG19_TO_16[16], SEG19_TO_16[18] = 14, 15


def _retarget(node, old, new):
    """Point every ``data_root`` under ``old`` to ``new`` (what --cfg-options would do key by
    key)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'data_root' and isinstance(value, str) and value.startswith(old):
                node[key] = new + value[len(old):]
            else:
                _retarget(value, old, new)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _retarget(item, old, new)


def _config(name, root):
    cfg = Config.fromfile(osp.join(CONFIGS, name))
    _retarget(cfg._cfg_dict, cfg.data_root, root.rstrip('/') + '/')
    return cfg


def _source(loader, index, folder='val'):
    """Source ``index`` of a loader's pool (driving_mixed.py's re-division pools both sources'
    train folders, then their val folders)."""
    datasets = loader.dataset.dataset.datasets
    return datasets[index + (len(datasets) // 2 if folder == 'val' else 0)]


@pytest.fixture(autouse=True)
def _scope():
    init_default_scope('mmmtnas')


def test_mixed_config_merges_to_4_det_and_16_seg_classes(toy_driving):
    root, manifest = toy_driving
    cfg = _config('driving_mixed.py', root)
    det = DATASETS.build(cfg.train_dataloader.det.dataset)
    seg = DATASETS.build(cfg.train_dataloader.seg.dataset)
    assert det.metainfo['classes'] == DET4 == cfg.det_classes
    assert len(seg.metainfo['classes']) == 16 == len(cfg.seg_classes)
    assert len(det) == 4 + 4 and len(seg) == 4 + 4
    assert len(seg.metainfo['palette']) == 16


def test_mixed_det_labels_and_boxes_match_the_generator(toy_driving):
    root, manifest = toy_driving
    cfg = _config('driving_mixed.py', root)
    det = DATASETS.build(cfg.val_dataloader.det.dataset)
    expected = {}  # every image of both folders: the val split is drawn from the pool
    for source, folder, table in [('bdd100k_det', 'bdd100k', BDD_TO_DET4),
                                  ('waymo', 'waymo', WAYMO_TO_DET4)]:
        for recs in manifest['sources'][source].values():
            for rec in recs:
                expected[f'{folder}/{rec["img"]}'] = sorted(
                    (table[o['name']], *o['bbox']) for o in rec['objects'] if o['name'] in table)
    listed = read_split_file(osp.join(root, 'splits', 'det_val.txt'))
    assert len(det) == len(listed) == 2
    seen = 0
    for i in range(len(det)):
        info = det.get_data_info(i)
        got = sorted((inst['bbox_label'], *inst['bbox']) for inst in info['instances'])
        source, index = det.dataset._get_ori_dataset_idx(det.indices[i])
        assert sorted(det.dataset.datasets[source].get_cat_ids(index)) == [g[0] for g in got]
        assert osp.relpath(info['img_path'], root) == listed[i]
        assert got == expected[listed[i]]
        seen += len(got)
        # the packed sample holds the same boxes (ground truth loaded at original size)
        sample = det[i]['data_samples']
        packed = sorted(zip(sample.gt_instances.labels.tolist(),
                            sample.gt_instances.bboxes.tensor.tolist()))
        assert [(lab, *box) for lab, box in packed] == got
    assert seen > 0


def _generated_labels(manifest, source, split):
    """Seg-map file name -> the trainId map the generator drew for it."""
    return {osp.basename(r['seg']): _scene(3, source, split, i, (64, 128)).label
            for i, r in enumerate(manifest['sources'][source][split])}


def test_mixed_seg_maps_are_the_generated_maps_merged_to_16(toy_driving):
    root, manifest = toy_driving
    cfg = _config('driving_mixed.py', root)
    seg = DATASETS.build(cfg.val_dataloader.seg.dataset)
    labels = {k: v for source in ('cityscapes', 'bdd100k_seg') for split in ('train', 'val')
              for k, v in _generated_labels(manifest, source, split).items()}
    assert len(seg) == 2  # the val split drawn from both folders of both sources
    merged_vehicle = 0
    for i in range(len(seg)):
        sample = seg[i]['data_samples']
        gt = sample.gt_sem_seg.data[0].numpy()
        assert np.array_equal(gt, SEG19_TO_16[labels[osp.basename(sample.seg_map_path)]])
        merged_vehicle += int((gt == 13).sum())
    assert merged_vehicle > 0


def test_cityscapes_and_bdd_loaders_return_the_generated_masks(toy_driving):
    root, manifest = toy_driving
    load = [dict(type='mmseg.LoadAnnotations')]
    city = DATASETS.build(dict(type='mmseg.CityscapesDataset', data_root=f'{root}/cityscapes',
                               data_prefix=dict(img_path='leftImg8bit/train',
                                                seg_map_path='gtFine/train'), pipeline=load))
    bdd = DATASETS.build(dict(type='mmseg.BDD100KDataset', data_root=f'{root}/bdd100k',
                              data_prefix=dict(img_path='images/10k/train',
                                               seg_map_path='labels/sem_seg/masks/train'),
                              pipeline=load))
    for ds, source in [(city, 'cityscapes'), (bdd, 'bdd100k_seg')]:
        labels = _generated_labels(manifest, source, 'train')
        assert len(ds) == len(labels) == 4
        for k in range(len(ds)):
            sample = ds[k]
            assert np.array_equal(sample['gt_seg_map'],
                                  labels[osp.basename(sample['seg_map_path'])])


def test_single_config_builds_kitti_3_and_cityscapes_19(toy_driving):
    root, _ = toy_driving
    cfg = _config('driving_single.py', root)
    det = DATASETS.build(cfg.val_dataloader.det.dataset)
    seg = DATASETS.build(cfg.val_dataloader.seg.dataset)
    assert det.metainfo['classes'] == ('car', 'pedestrian', 'cyclist')
    assert len(seg.metainfo['classes']) == 19 and len(det) == 2 and len(seg) == 2
    sample = seg[0]['data_samples']
    assert sample.gt_sem_seg.data.shape[-2:] == (64, 128)


def test_toy_config_reads_the_toy_set_like_the_mixed_one(toy_driving):
    root, _ = toy_driving
    cfg = _config('driving_toy.py', root)
    det = DATASETS.build(cfg.train_dataloader.det.dataset)
    seg = DATASETS.build(cfg.train_dataloader.seg.dataset)
    assert det.metainfo['classes'] == DET4 and len(seg.metainfo['classes']) == 16
    data = det[0]
    assert data['inputs'].shape[-2:] == (128, 256)  # the toy input size
    assert 'gt_sem_seg' in seg[0]['data_samples']


def test_toy_imagenet_reads_4_classes_from_meta_files(toy_driving):
    root, manifest = toy_driving
    cfg = Config.fromfile(osp.join(CONFIGS, 'toy_imagenet.py'))
    _retarget(cfg._cfg_dict, cfg.data_root, f'{root}/imagenet/')
    train = DATASETS.build(cfg.train_dataloader.cls.dataset)
    val = DATASETS.build(cfg.val_dataloader.cls.dataset)
    assert train.metainfo['classes'] == ('car', 'person', 'street sign', 'road')
    assert len(train) == 16 and len(val) == 8
    labels = [train.get_data_info(i)['gt_label'] for i in range(len(train))]
    assert sorted(labels) == sorted(r['label'] for r in manifest['sources']['imagenet']['train'])
    assert tuple(train[0]['inputs'].shape) == (3, 64, 64)


def test_missing_data_root_fails_at_build_with_one_line(tmp_path):
    missing = str(tmp_path / 'nowhere')
    for name in ('driving_mixed.py', 'driving_single.py'):
        cfg = _config(name, missing)
        for task in ('det', 'seg'):
            with pytest.raises(DataRootNotFoundError) as err:
                DATASETS.build(cfg.train_dataloader[task].dataset)
            msg = str(err.value)
            assert '\n' not in msg and missing in msg
            assert 'docs/data_preparation.md' in msg and 'make demo' in msg


def test_missing_folder_under_existing_root_is_named(toy_driving, tmp_path):
    root, _ = toy_driving
    cfg = _config('driving_mixed.py', root)
    src = _source(cfg.train_dataloader.seg, 0, 'train')
    src.dataset.data_prefix.seg_map_path = 'gtFine/nosuchsplit'
    with pytest.raises(DataRootNotFoundError, match='gtFine/nosuchsplit'):
        DATASETS.build(src)


def test_seg_labels_outside_the_class_range_fail_naming_file_and_values(toy_driving, tmp_path):
    root, _ = toy_driving
    city = tmp_path / 'cityscapes'
    shutil.copytree(osp.join(root, 'cityscapes'), city)
    bad = sorted((city / 'gtFine' / 'val').rglob('*_gtFine_labelTrainIds.png'))[0]
    label = cv2.imread(str(bad), cv2.IMREAD_UNCHANGED)
    label[0, :3] = [19, 30, 255]  # 19 and 30 are no trainId; 255 is the ignore index
    cv2.imwrite(str(bad), label)
    cfg = _config('driving_mixed.py', str(tmp_path))
    src = _source(cfg.val_dataloader.seg, 0)
    ds = DATASETS.build(src)
    with pytest.raises(SegLabelError) as err:
        ds[0]
    msg = str(err.value)
    assert str(bad) in msg and '[19, 30]' in msg and '0..15' in msg and '\n' not in msg


def test_check_seg_labels_passes_valid_maps_and_ignore():
    t = CheckSegLabels(num_classes=3)
    ok = dict(gt_seg_map=np.array([[0, 1, 2, 255]], np.uint8), seg_map_path='a.png')
    assert t(ok) is ok
    with pytest.raises(SegLabelError, match=r'a\.png.*\[3\]'):
        t(dict(gt_seg_map=np.array([[0, 3]], np.uint8), seg_map_path='a.png'))


def test_class_table_must_name_every_source_class_and_only_targets():
    classes, index = build_label_table(('a', 'b', 'c'), {'a': 'x', 'b': None, 'c': 'x'})
    assert classes == ('x', ) and index.tolist() == [0, -1, 0]
    with pytest.raises(ValueError, match=r"missing \['c'\]"):
        build_label_table(('a', 'b', 'c'), {'a': 'x', 'b': 'y'})
    with pytest.raises(KeyError, match='zebra'):
        build_label_table(('a', ), {'a': 'x', 'zebra': 'x'})
    with pytest.raises(ValueError, match=r"\['y'\]"):
        build_label_table(('a', 'b'), {'a': 'x', 'b': 'y'}, classes=('x', ))


def test_wrapper_refuses_a_pipeline_on_the_source(toy_driving):
    root, _ = toy_driving
    with pytest.raises(ValueError, match='pipeline on the wrapper'):
        ClassMergeDataset(dataset=dict(type='mmseg.CityscapesDataset',
                                       data_root=f'{root}/cityscapes',
                                       pipeline=[dict(type='LoadImageFromFile')]))
    assert os.path.isdir(f'{root}/cityscapes')


def test_config_evaluators_score_ground_truth_as_perfect(toy_driving):
    """Packed ground truth, the datasets' class names and the config's metrics fit together:
    predicting the ground truth itself gives mAP@0.5 = 1 and mIoU = 100."""
    import torch
    from mmdet.structures.bbox import HorizontalBoxes
    from mmengine.evaluator import Evaluator
    from mmengine.structures import PixelData

    root, _ = toy_driving
    cfg = _config('driving_mixed.py', root)
    results = {}
    for task in ('det', 'seg'):
        dataset = DATASETS.build(cfg.val_dataloader[task].dataset)
        evaluator = Evaluator(cfg.val_evaluator[task])
        evaluator.dataset_meta = dataset.metainfo
        for i in range(len(dataset)):
            sample = dataset[i]['data_samples']
            if task == 'det':
                gt = sample.gt_instances
                sample.pred_instances = gt.clone()
                sample.pred_instances.bboxes = HorizontalBoxes(gt.bboxes.tensor).tensor
                sample.pred_instances.scores = torch.ones(len(gt))
            else:
                sample.pred_sem_seg = PixelData(data=sample.gt_sem_seg.data.clone())
            evaluator.process([sample.to_dict()], None)
        results.update(evaluator.evaluate(len(dataset)))
    assert results['pascal_voc/mAP'] == pytest.approx(1.0)
    assert results['mIoU'] == pytest.approx(100.0)


@pytest.mark.parametrize('name', ['driving_mixed.py', 'driving_single.py'])
def test_train_pipelines_give_320x512_inputs_with_labels(toy_driving, name):
    root, _ = toy_driving
    cfg = _config(name, root)
    det = DATASETS.build(cfg.train_dataloader.det.dataset)
    seg = DATASETS.build(cfg.train_dataloader.seg.dataset)
    num_det = len(cfg.det_classes)
    for i in range(2):
        d, s = det[i], seg[i]
        assert tuple(d['inputs'].shape) == (3, 320, 512) == tuple(s['inputs'].shape)
        labels = d['data_samples'].gt_instances.labels
        assert ((labels >= 0) & (labels < num_det)).all()
        seg_values = set(s['data_samples'].gt_sem_seg.data.unique().tolist())
        assert seg_values <= set(range(len(cfg.seg_classes))) | {255}


def _bdd_val_with_unknown_categories(toy_root, tmp_path):
    """The toy BDD100K set with a val file as a newer converter might write it: two more
    categories, 'other vehicle' (id 11, the two traffic signs relabelled) and 'trailer' (id 12,
    one car relabelled)."""
    shutil.copytree(osp.join(toy_root, 'bdd100k'), tmp_path / 'bdd100k')
    path = tmp_path / 'bdd100k' / 'labels' / 'det_20' / 'det_val_coco.json'
    coco = json.loads(path.read_text())
    coco['categories'] += [dict(id=11, name='other vehicle', supercategory='none'),
                           dict(id=12, name='trailer', supercategory='none')]
    anns = coco['annotations']
    for ann in anns:
        if ann['category_id'] == 10:
            ann['category_id'] = 11
    next(a for a in anns if a['category_id'] == 3)['category_id'] = 12
    path.write_text(json.dumps(coco))
    counts = {c: sum(a['category_id'] == c for a in anns) for c in (11, 12)}
    assert counts == {11: 2, 12: 1}  # what the toy file (seed 3) holds
    return str(path), len(anns)


def _bdd_val_source(root, **kwargs):
    src = _source(_config('driving_mixed.py', root).val_dataloader.det, 0)
    src.update(kwargs)
    return src


def test_coco_annotations_of_unknown_categories_are_an_error_naming_file_and_ids(
        toy_driving, tmp_path):
    ann_file, _ = _bdd_val_with_unknown_categories(toy_driving[0], tmp_path)
    with pytest.raises(UnknownCategoryError) as err:
        DATASETS.build(_bdd_val_source(str(tmp_path)))
    msg = str(err.value)
    assert f'{ann_file} has 3 annotations of category id(s) that are not in the class table: ' \
           '11: 2, 12: 1; map them to a class, or list them in drop_category_ids' in msg
    assert '\n' not in msg


def test_listed_unknown_categories_are_dropped_and_counted_in_one_warning(
        toy_driving, tmp_path, logged_warnings):
    ann_file, num_anns = _bdd_val_with_unknown_categories(toy_driving[0], tmp_path)
    ds = DATASETS.build(_bdd_val_source(str(tmp_path), drop_category_ids=[11, 12]))
    boxes = sum(len(ds.get_data_info(i)['instances']) for i in range(len(ds)))
    assert boxes == num_anns - 3  # nothing else lost (the toy val set maps every other box)
    assert logged_warnings == [
        f'ClassMergeDataset(CocoDataset): dropped 3 annotations of {ann_file} whose category '
        'id is in drop_category_ids: 11: 2, 12: 1']


def test_drop_category_ids_refuses_source_classes_and_non_coco_sources(toy_driving):
    # id 3 is 'car', a source class: dropping it belongs in class_map ('car': None).
    with pytest.raises(ValueError, match=r'drop_category_ids lists \[3\], which are categories '
                                         'of source classes'):
        DATASETS.build(_bdd_val_source(toy_driving[0], drop_category_ids=[3, 11]))
    seg_source = _source(_config('driving_mixed.py', toy_driving[0]).val_dataloader.seg, 0)
    with pytest.raises(ValueError, match='drop_category_ids applies to COCO-style sources'):
        DATASETS.build(dict(seg_source, drop_category_ids=[11]))


def test_toy_sets_have_no_unknown_category(toy_driving, logged_warnings):
    cfg = _config('driving_mixed.py', toy_driving[0])
    for split in ('train_dataloader', 'val_dataloader'):
        DATASETS.build(cfg[split].det.dataset)
    assert logged_warnings == []
