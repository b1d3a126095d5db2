"""Write a small, seeded toy driving set in the real on-disk formats.

The scenes come from :func:`.toy_scene.draw_scene`; this module only names files and writes each
source the way the real dataset (or its usual converter) lays it out, so that the upstream
loaders (mmseg ``CityscapesDataset`` / ``BDD100KDataset``, mmdet ``CocoDataset``, mmpretrain
``ImageNet``) and :class:`mmmtnas.Kitti2DDataset` read it unchanged::

    <out>/cityscapes/leftImg8bit/{train,val}/<city>/<city>_<seq>_<frame>_leftImg8bit.png
    <out>/cityscapes/gtFine/{train,val}/<city>/<city>_<seq>_<frame>_gtFine_labelTrainIds.png
    <out>/bdd100k/images/10k/{train,val}/<name>.jpg            (segmentation images)
    <out>/bdd100k/labels/sem_seg/masks/{train,val}/<name>.png  (trainIds, 255 = ignore)
    <out>/bdd100k/images/100k/{train,val}/<name>.jpg           (detection images)
    <out>/bdd100k/labels/det_20/det_{train,val}_coco.json      (bdd100k.label.to_coco output)
    <out>/waymo/images/{train,val}/<segment>_<timestamp>_FRONT.jpg
    <out>/waymo/annotations/front_{train,val}.json             (COCO style)
    <out>/kitti/training/image_2/<id>.png, training/label_2/<id>.txt, ImageSets/{train,val}.txt
    <out>/imagenet/{train,val}/<wnid>/*.JPEG, meta/{train,val}.txt, meta/classes.txt
    <out>/cifar10/cifar-10-batches-py/*                        (CIFAR-10 pickles, toy_cifar.py)
    <out>/splits/{det,seg}_{train,val,test}.txt                (the re-division: split_files.py)
    <out>/manifest.json                                        (what was written, for tests)

Every (source, split, index) draws its scene from its own generator seeded with
``[seed, source, split, index]``, so a file's bytes depend only on the seed, the size and its
own position.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

from mmmtnas.datasets.split_files import divide, write_split_files
from .toy_cifar import make_toy_cifar10
from .toy_scene import Scene, SceneObject, draw_scene

# Category tables of the real sources, in the order their converters write them.
BDD100K_DET_CATEGORIES = ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
                          'bicycle', 'traffic light', 'traffic sign')  # ids 1..10
WAYMO_CATEGORIES = ('vehicle', 'pedestrian', 'sign', 'cyclist')  # ids 1..4 = Waymo Label.Type
KITTI_TYPES = ('Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist', 'Tram', 'Misc',
               'DontCare')
# ImageNet-format classes for the pre-search: (WordNet id, name).
IMAGENET_CLASSES = (('n02958343', 'car'), ('n00007846', 'person'),
                    ('n06794110', 'street sign'), ('n04096066', 'road'))

_SOURCE_CODE = {'cityscapes': 1, 'bdd100k_seg': 2, 'bdd100k_det': 3, 'waymo': 4, 'kitti': 5,
                'imagenet': 6}
_SPLIT_CODE = {'train': 0, 'val': 1}
# Slight per-source look (brightness multiplier, BGR tint), as real sources differ.
_STYLE = {'cityscapes': dict(brightness=1.0, tint=(0, 0, 0)),
          'bdd100k_seg': dict(brightness=0.85, tint=(8, 0, -6)),
          'bdd100k_det': dict(brightness=0.85, tint=(8, 0, -6)),
          'waymo': dict(brightness=1.08, tint=(-6, 0, 8)),
          'kitti': dict(brightness=0.95, tint=(0, 4, 4)),
          'imagenet': dict(brightness=1.0, tint=(0, 0, 0))}
_CITIES = {'train': ('aachen', 'bochum'), 'val': ('frankfurt', 'lindau')}
_JPEG = [cv2.IMWRITE_JPEG_QUALITY, 95]
_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 3]


def is_labelled(obj: SceneObject) -> bool:
    """Whether an object gets a box in the detection sources.

    Slivers left by occlusion (under 15 % visible, or a box thinner than 2 px) are not boxed,
    as annotators skip them; their pixels still carry their class in the segmentation maps.
    """
    x1, y1, x2, y2 = obj.bbox
    return obj.visible_fraction >= 0.15 and x2 - x1 >= 2 and y2 - y1 >= 2


def num_val_images(num_images: int) -> int:
    """Number of val images written per source for ``num_images`` train images."""
    return max(2, num_images // 4)


def _scene(seed: int, source: str, split: str, index: int, size: Tuple[int, int]) -> Scene:
    rng = np.random.default_rng([seed, _SOURCE_CODE[source], _SPLIT_CODE[split], index])
    return draw_scene(rng, size[0], size[1], style=_STYLE[source])


def _write_image(path: str, image: np.ndarray, params: Sequence[int]) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    if not cv2.imwrite(path, image, list(params)):
        raise OSError(f'{path}: could not write image')


def _write_text(path: str, text: str) -> None:
    # Temp file then rename, so a killed run never leaves a half-written annotation file.
    os.makedirs(osp.dirname(path), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def _union(boxes: List[Tuple[float, float, float, float]]) -> Tuple[float, ...]:
    b = np.asarray(boxes, np.float64)
    return (float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()),
            float(b[:, 3].max()))


def _groups(objects: List[SceneObject]) -> Dict[int, List[SceneObject]]:
    groups: Dict[int, List[SceneObject]] = {}
    for obj in objects:
        groups.setdefault(obj.group, []).append(obj)
    return groups


def bdd100k_det_objects(scene: Scene) -> List[dict]:
    """BDD100K detection boxes of a scene: one box per labelled object (rider and bicycle
    separately, as BDD100K annotates them)."""
    name = {'person': 'pedestrian'}
    return [dict(name=name.get(o.cls, o.cls), bbox=list(o.bbox))
            for o in scene.objects if is_labelled(o)]


def waymo_objects(scene: Scene) -> List[dict]:
    """Waymo front-camera boxes of a scene.

    Waymo's 2D camera labels cover vehicles, pedestrians and cyclists (``TYPE_SIGN`` exists in
    the label enum but signs are labelled in the lidar only), so signs and lights get no box. A
    cyclist box covers rider and bicycle together; a motorcyclist is a vehicle.
    """
    out = []
    for members in _groups(scene.objects).values():
        kept = [m for m in members if is_labelled(m)]
        if not kept:
            continue
        classes = {m.cls for m in members}
        if classes & {'car', 'truck', 'bus', 'motorcycle'}:
            name = 'vehicle'
        elif 'person' in classes:
            name = 'pedestrian'
        elif 'bicycle' in classes:
            name = 'cyclist'
        else:
            continue
        out.append(dict(name=name, bbox=list(_union([m.bbox for m in kept]))))
    return out


def kitti_objects(scene: Scene, size: Tuple[int, int], rng: np.random.Generator) -> List[dict]:
    """KITTI ``label_2`` records of a scene (one dict per line, all 15 fields).

    Cars are 'Car' (one in five a 'Van'), trucks 'Truck', buses and motorcyclists 'Misc',
    pedestrians 'Pedestrian', bicycle riders 'Cyclist' (one box over rider and bicycle); objects
    under 6 % of the image height become 'DontCare' regions, as KITTI marks far objects.
    """
    height = size[0]
    out = []
    for members in _groups(scene.objects).values():
        kept = [m for m in members if is_labelled(m)]
        if not kept:
            continue
        classes = {m.cls for m in members}
        if classes & {'traffic sign', 'traffic light'}:
            continue
        if 'car' in classes:
            name = 'Van' if rng.random() < 0.2 else 'Car'
        elif 'truck' in classes:
            name = 'Truck'
        elif classes & {'bus', 'motorcycle'}:
            name = 'Misc'
        elif 'person' in classes:
            name = 'Pedestrian'
        else:
            name = 'Cyclist'
        # a cyclist's 3D box is the rider's (1.75 m high, bicycle-long), as KITTI's
        main = next((m for m in members if m.cls == 'rider'),
                    max(members, key=lambda m: m.drawn_pixels))
        bbox = _union([m.bbox for m in kept])
        if bbox[3] - bbox[1] < 0.06 * height:
            out.append(dict(type='DontCare', truncated=-1.0, occluded=-1, alpha=-10.0, bbox=bbox,
                            dims=(-1.0, -1.0, -1.0), location=(-1000.0, -1000.0, -1000.0),
                            rotation_y=-10.0))
            continue
        vis = sum(m.visible_pixels for m in members) / max(sum(m.drawn_pixels for m in members),
                                                           1)
        occluded = 0 if vis >= 0.8 else 1 if vis >= 0.4 else 2
        x, z = main.lateral, main.depth
        ry = float(np.arctan2(np.sin(main.rotation_y), np.cos(main.rotation_y)))
        alpha = float(np.arctan2(np.sin(ry - np.arctan2(x, z)), np.cos(ry - np.arctan2(x, z))))
        out.append(dict(type=name, truncated=max(m.truncation for m in members),
                        occluded=occluded, alpha=alpha, bbox=bbox, dims=main.dims,
                        location=(x, 1.65, z), rotation_y=ry))
    return out


def format_kitti_line(rec: dict) -> str:
    """One ``label_2`` line: type, truncated, occluded, alpha, bbox(4), dimensions h w l,
    location x y z, rotation_y (15 fields)."""
    vals = [rec['type'], f"{rec['truncated']:.2f}", str(int(rec['occluded'])),
            f"{rec['alpha']:.2f}"]
    vals += [f'{v:.2f}' for v in rec['bbox']]
    vals += [f'{v:.2f}' for v in rec['dims']]
    vals += [f'{v:.2f}' for v in rec['location']]
    vals.append(f"{rec['rotation_y']:.2f}")
    return ' '.join(vals)


def _coco(images: List[dict], objects: List[List[dict]], categories: Sequence[str]) -> dict:
    cat_id = {name: i + 1 for i, name in enumerate(categories)}
    anns = []
    for img, objs in zip(images, objects):
        for obj in objs:
            x1, y1, x2, y2 = obj['bbox']
            anns.append(dict(id=len(anns) + 1, image_id=img['id'], category_id=cat_id[obj['name']],
                             bbox=[x1, y1, x2 - x1, y2 - y1], area=(x2 - x1) * (y2 - y1),
                             iscrowd=0, ignore=0))
    return dict(images=images, annotations=anns,
                categories=[dict(id=i, name=n, supercategory='none') for n, i in cat_id.items()])


def _name_rng(seed: int, source: str, split: str) -> np.random.Generator:
    # File names draw from their own stream, so they do not shift the scenes.
    return np.random.default_rng([seed, _SOURCE_CODE[source], 99, _SPLIT_CODE[split]])


def _bdd_name(rng: np.random.Generator) -> str:
    return '{:08x}-{:08x}'.format(*(int(v) for v in rng.integers(0, 2**32, 2)))


def make_toy_driving(out_dir: str, num_images: int = 32, seed: int = 0,
                     size: Tuple[int, int] = (128, 256), crop_size: int = 64) -> dict:
    """Write the toy driving set under ``out_dir``.

    Args:
        out_dir (str): Root folder; sources are written to sub-folders (see module docstring).
        num_images (int): Train images per source; each source also gets
            ``max(2, num_images // 4)`` val images. The ImageNet folder gets that many images
            per class and split.
        seed (int): Seed; equal seeds give byte-identical files.
        size (tuple[int, int]): Image ``(height, width)``.
        crop_size (int): Side of the square ImageNet-format crops.

    Returns:
        dict: The manifest also written to ``<out_dir>/manifest.json``: per source and split a
        list of records with the image path (relative to the source root), the label path where
        there is one, and the objects as written (category name and ``[x1, y1, x2, y2]``).
    """
    if num_images < 1:
        raise ValueError(f'num_images must be >= 1, got {num_images}')
    height, width = (int(v) for v in size)
    if height < 32 or width < 32:
        raise ValueError(f'size must be at least 32x32, got {height}x{width}')
    size = (height, width)
    counts = {'train': num_images, 'val': num_val_images(num_images)}
    manifest: dict = dict(seed=seed, size=list(size), num_images=num_images, sources={})
    src = manifest['sources']

    # Cityscapes: PNG images, trainId maps, <city>_<seq>_<frame> names.
    root = osp.join(out_dir, 'cityscapes')
    src['cityscapes'] = {}
    for split, n in counts.items():
        recs = src['cityscapes'][split] = []
        for i in range(n):
            scene = _scene(seed, 'cityscapes', split, i, size)
            city = _CITIES[split][i % 2]
            stem = f'{city}/{city}_{i:06d}_000019'
            img = f'leftImg8bit/{split}/{stem}_leftImg8bit.png'
            seg = f'gtFine/{split}/{stem}_gtFine_labelTrainIds.png'
            _write_image(osp.join(root, img), scene.image, _PNG)
            _write_image(osp.join(root, seg), scene.label, _PNG)
            recs.append(dict(img=img, seg=seg))

    # BDD100K: the 10k segmentation subset and the 100k detection images are different sets.
    root = osp.join(out_dir, 'bdd100k')
    src['bdd100k_seg'], src['bdd100k_det'] = {}, {}
    for split, n in counts.items():
        recs = src['bdd100k_seg'][split] = []
        name_rng = _name_rng(seed, 'bdd100k_seg', split)
        for i in range(n):
            scene = _scene(seed, 'bdd100k_seg', split, i, size)
            name = _bdd_name(name_rng)
            img, seg = f'images/10k/{split}/{name}.jpg', f'labels/sem_seg/masks/{split}/{name}.png'
            _write_image(osp.join(root, img), scene.image, _JPEG)
            _write_image(osp.join(root, seg), scene.label, _PNG)
            recs.append(dict(img=img, seg=seg))
        recs = src['bdd100k_det'][split] = []
        name_rng = _name_rng(seed, 'bdd100k_det', split)
        images, objects = [], []
        for i in range(n):
            scene = _scene(seed, 'bdd100k_det', split, i, size)
            name = _bdd_name(name_rng)
            _write_image(osp.join(root, f'images/100k/{split}/{name}.jpg'), scene.image, _JPEG)
            images.append(dict(id=i + 1, file_name=f'{name}.jpg', height=height, width=width))
            objects.append(bdd100k_det_objects(scene))
            recs.append(dict(img=f'images/100k/{split}/{name}.jpg', objects=objects[-1]))
        _write_text(osp.join(root, f'labels/det_20/det_{split}_coco.json'),
                    json.dumps(_coco(images, objects, BDD100K_DET_CATEGORIES)))

    # Waymo front camera, converted to COCO style.
    root = osp.join(out_dir, 'waymo')
    src['waymo'] = {}
    for split, n in counts.items():
        recs = src['waymo'][split] = []
        images, objects = [], []
        for i in range(n):
            scene = _scene(seed, 'waymo', split, i, size)
            name = f'segment-{seed % 1000:03d}{_SPLIT_CODE[split]}{i // 8:04d}_' \
                   f'{1550000000000000 + i * 100000}_FRONT.jpg'
            _write_image(osp.join(root, f'images/{split}/{name}'), scene.image, _JPEG)
            images.append(dict(id=i + 1, file_name=name, height=height, width=width))
            objects.append(waymo_objects(scene))
            recs.append(dict(img=f'images/{split}/{name}', objects=objects[-1]))
        _write_text(osp.join(root, f'annotations/front_{split}.json'),
                    json.dumps(_coco(images, objects, WAYMO_CATEGORIES)))

    # KITTI object (2D part): one training folder, split lists as in the 3DOP/mmdet3d split.
    root = osp.join(out_dir, 'kitti')
    src['kitti'] = {}
    index = 0
    for split, n in counts.items():
        recs = src['kitti'][split] = []
        ids = []
        for i in range(n):
            scene = _scene(seed, 'kitti', split, i, size)
            rng = np.random.default_rng([seed, _SOURCE_CODE['kitti'], 7, _SPLIT_CODE[split], i])
            frame = f'{index:06d}'
            index += 1
            _write_image(osp.join(root, f'training/image_2/{frame}.png'), scene.image, _PNG)
            lines = kitti_objects(scene, size, rng)
            _write_text(osp.join(root, f'training/label_2/{frame}.txt'),
                        ''.join(format_kitti_line(r) + '\n' for r in lines))
            ids.append(frame)
            recs.append(dict(img=f'training/image_2/{frame}.png',
                             label=f'training/label_2/{frame}.txt',
                             objects=[dict(name=r['type'], bbox=list(r['bbox'])) for r in lines]))
        _write_text(osp.join(root, f'ImageSets/{split}.txt'), ''.join(f'{i}\n' for i in ids))

    src['imagenet'] = _write_imagenet(osp.join(out_dir, 'imagenet'), counts, seed, size,
                                      crop_size)
    # the proxy-task searches' CIFAR-10 (Table 1): 32x32 whatever `size` is
    make_toy_cifar10(osp.join(out_dir, 'cifar10'), seed=seed)
    _write_toy_splits(osp.join(out_dir, 'splits'), src, counts['val'])
    _write_text(osp.join(out_dir, 'manifest.json'), json.dumps(manifest, indent=1))
    return manifest


def _write_toy_splits(out_dir: str, sources: dict, num_val: int) -> None:
    """The mixed set's re-division of the toy pools (both sources, both folders) as
    ``tools/dataset_converters/split_mixed_set.py`` writes it for ``driving_toy.py`` (seed 0):
    ``num_val`` val and test images per task, the rest train."""
    pools = dict(det=[('bdd100k', 'bdd100k_det'), ('waymo', 'waymo')],
                 seg=[('cityscapes', 'cityscapes'), ('bdd100k', 'bdd100k_seg')])
    for task, parts in pools.items():
        paths = [f'{folder}/{rec["img"]}' for folder, source in parts
                 for recs in sources[source].values() for rec in recs]
        sizes = dict(train=len(paths) - 2 * num_val, val=num_val, test=num_val)
        write_split_files(out_dir, task, divide(paths, sizes, seed=0))


def _crop(image: np.ndarray, box, crop_size: int) -> np.ndarray:
    """Square crop around ``box`` (1.3x its longer side, clamped to the image), resized."""
    h, w = image.shape[:2]
    x1, y1, x2, y2 = box
    side = min(max(x2 - x1, y2 - y1) * 1.3, h, w)
    cx = min(max((x1 + x2) / 2, side / 2), w - side / 2)
    cy = min(max((y1 + y2) / 2, side / 2), h - side / 2)
    xa, ya = int(round(cx - side / 2)), int(round(cy - side / 2))
    s = max(int(round(side)), 1)
    patch = image[ya:ya + s, xa:xa + s]
    return cv2.resize(patch, (crop_size, crop_size), interpolation=cv2.INTER_LINEAR)


def _write_imagenet(root: str, counts: Dict[str, int], seed: int, size: Tuple[int, int],
                    crop_size: int) -> dict:
    """ImageNet-format folder of object crops: ``<split>/<wnid>/<wnid>_<i>.JPEG`` plus
    ``meta/<split>.txt`` ('<wnid>/<file> <label>' lines) that mmpretrain's ``ImageNet`` reads."""
    wanted = {'car': {'car'}, 'person': {'person'}, 'street sign': {'traffic sign'}}
    # Crops come from scenes of at least 128x256: in smaller ones signs are a few pixels wide.
    size = (max(size[0], 128), max(size[1], 256))
    out = {}
    for split, n in counts.items():
        crops: Dict[str, List[np.ndarray]] = {name: [] for _, name in IMAGENET_CLASSES}
        scene_idx = 0
        while any(len(v) < n for v in crops.values()):
            if scene_idx > 200 * n:
                raise RuntimeError(f'could not draw {n} crops per class for the ImageNet folder')
            scene = _scene(seed, 'imagenet', split, scene_idx, size)
            scene_idx += 1
            for name, classes in wanted.items():
                for obj in scene.objects:
                    x1, y1, x2, y2 = obj.bbox
                    if (obj.cls in classes and obj.visible_fraction >= 0.6 and len(crops[name]) < n
                            and max(x2 - x1, y2 - y1) >= 6):
                        crops[name].append(_crop(scene.image, obj.bbox, crop_size))
            # background: a patch of road ahead (trainId 0 at the centre)
            ys, xs = np.nonzero(scene.label == 0)
            if len(ys) and len(crops['road']) < n:
                k = len(ys) // 2
                s = size[0] // 4
                crops['road'].append(_crop(scene.image, (xs[k] - s, ys[k] - s, xs[k] + s,
                                                         ys[k] + s), crop_size))
        lines, recs = [], []
        for label, (wnid, name) in enumerate(IMAGENET_CLASSES):
            for i, patch in enumerate(crops[name][:n]):
                rel = f'{wnid}/{wnid}_{split}_{i:04d}.JPEG'
                _write_image(osp.join(root, split, rel), patch, _JPEG)
                lines.append(f'{rel} {label}\n')
                recs.append(dict(img=f'{split}/{rel}', label=label))
        _write_text(osp.join(root, f'meta/{split}.txt'), ''.join(lines))
        out[split] = recs
    _write_text(osp.join(root, 'meta/classes.txt'),
                ''.join(f'{wnid} {name}\n' for wnid, name in IMAGENET_CLASSES))
    return out
