"""The toy driving set: deterministic, boxes agree with masks, real on-disk formats."""
import filecmp
import json
import os.path as osp

import cv2
import numpy as np

from mmmtnas.testing.toy_driving import (BDD100K_DET_CATEGORIES, WAYMO_CATEGORIES, _scene,
                                         make_toy_driving)
from mmmtnas.testing.toy_scene import CITYSCAPES_CLASSES, draw_scene

TINY = dict(num_images=2, size=(48, 96), crop_size=24)


def _files(manifest):
    """A few written files of every kind."""
    src = manifest['sources']
    return [
        'cityscapes/' + src['cityscapes']['train'][0]['img'],
        'cityscapes/' + src['cityscapes']['val'][1]['seg'],
        'bdd100k/' + src['bdd100k_seg']['train'][1]['img'],
        'bdd100k/labels/det_20/det_train_coco.json',
        'waymo/annotations/front_val.json',
        'kitti/training/label_2/000001.txt',
        'imagenet/meta/train.txt',
        'imagenet/' + src['imagenet']['val'][0]['img'],
    ]


def test_same_seed_writes_identical_bytes_and_other_seed_differs(tmp_path):
    a = make_toy_driving(str(tmp_path / 'a'), seed=5, **TINY)
    make_toy_driving(str(tmp_path / 'b'), seed=5, **TINY)
    make_toy_driving(str(tmp_path / 'c'), seed=6, **TINY)
    files = _files(a)
    for rel in files:
        assert filecmp.cmp(tmp_path / 'a' / rel, tmp_path / 'b' / rel, shallow=False), rel
    img = 'cityscapes/' + a['sources']['cityscapes']['train'][0]['img']
    assert not filecmp.cmp(tmp_path / 'a' / img, tmp_path / 'c' / img, shallow=False)


def test_every_box_is_the_tight_box_of_its_visible_mask():
    for i in range(5):
        scene = draw_scene(np.random.default_rng([11, i]), 96, 192)
        assert scene.objects, 'a scene should hold objects'
        for obj in scene.objects:
            ys, xs = np.nonzero(scene.instance_map == obj.instance_id)
            assert obj.bbox == (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1)
            assert obj.visible_pixels == len(ys) <= obj.drawn_pixels
            # every visible pixel of an object carries the object's Cityscapes class
            labels = np.unique(scene.label[ys, xs])
            assert labels.tolist() == [CITYSCAPES_CLASSES.index(obj.cls)]


def test_written_files_follow_the_real_layouts(toy_driving):
    root, manifest = toy_driving
    rec = manifest['sources']['cityscapes']['train'][0]
    assert rec['img'].startswith('leftImg8bit/train/') and rec['img'].endswith('_leftImg8bit.png')
    assert rec['seg'] == rec['img'].replace('leftImg8bit', 'gtFine', 1).replace(
        '_leftImg8bit.png', '_gtFine_labelTrainIds.png')
    label = cv2.imread(osp.join(root, 'cityscapes', rec['seg']), cv2.IMREAD_UNCHANGED)
    assert label.ndim == 2 and label.dtype == np.uint8
    assert set(np.unique(label).tolist()) <= set(range(19)) | {255}
    # BDD100K segmentation: images/10k/<split>/<name>.jpg, labels/sem_seg/masks/<split>/<name>.png
    rec = manifest['sources']['bdd100k_seg']['val'][0]
    name = osp.splitext(osp.basename(rec['img']))[0]
    assert rec['seg'] == f'labels/sem_seg/masks/val/{name}.png'
    # COCO-style detection files name their sources' categories with ids 1..K
    for path, cats in [('bdd100k/labels/det_20/det_train_coco.json', BDD100K_DET_CATEGORIES),
                       ('waymo/annotations/front_train.json', WAYMO_CATEGORIES)]:
        coco = json.load(open(osp.join(root, path)))
        assert [(c['id'], c['name']) for c in coco['categories']] == list(
            enumerate(cats, 1))
        assert coco['annotations'], path
        for ann in coco['annotations']:
            x, y, w, h = ann['bbox']
            assert w >= 2 and h >= 2 and ann['area'] == w * h
    # Waymo 2D labels have no signs
    waymo = json.load(open(osp.join(root, 'waymo/annotations/front_train.json')))
    assert 3 not in {a['category_id'] for a in waymo['annotations']}
    # KITTI: 15 fields per line, DontCare written with KITTI's placeholder values
    ids = open(osp.join(root, 'kitti/ImageSets/val.txt')).read().split()
    assert len(ids) == 2 and ids[0] == '000004'
    for frame in ids:
        for line in open(osp.join(root, f'kitti/training/label_2/{frame}.txt')):
            fields = line.split()
            assert len(fields) == 15
            if fields[0] == 'DontCare':
                assert fields[1:4] == ['-1.00', '-1', '-10.00']
    # ImageNet: <wnid>/<file> <label> lines, 4 classes x N images
    lines = open(osp.join(root, 'imagenet/meta/train.txt')).read().splitlines()
    assert len(lines) == 4 * 4
    assert {int(line.split()[1]) for line in lines} == {0, 1, 2, 3}
    first = lines[0].split()[0]
    crop = cv2.imread(osp.join(root, 'imagenet/train', first))
    assert crop.shape == (32, 32, 3)


def test_scene_is_a_pure_function_of_its_seed():
    a = _scene(1, 'waymo', 'train', 3, (48, 96))
    b = _scene(1, 'waymo', 'train', 3, (48, 96))
    c = _scene(1, 'waymo', 'train', 4, (48, 96))
    assert np.array_equal(a.image, b.image) and np.array_equal(a.label, b.label)
    assert not np.array_equal(a.image, c.image)


def test_cli_writes_the_set(tmp_path, capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'make_toy_driving', osp.join(osp.dirname(__file__), '..', '..', 'tools',
                                     'dataset_converters', 'make_toy_driving.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main(['--out', str(tmp_path), '--num-images', '1', '--seed', '2', '--size', '40',
               '80', '--crop-size', '16'])
    assert 'wrote toy driving set' in capsys.readouterr().out
    manifest = json.load(open(tmp_path / 'manifest.json'))
    assert manifest['size'] == [40, 80]
    img = cv2.imread(str(tmp_path / 'kitti/training/image_2/000000.png'))
    assert img.shape == (40, 80, 3)
