"""Small seeded dense multi-task data in the real PASCAL-Context MT and NYUD-v2 MT layouts.

Scenes are coloured rectangles on a two-tone background, so every task is learnable: the class
sets the colour (semantic segmentation), persons have parts (human parts), objects are salient,
each object has its own surface orientation (normals) and distance (depth), and label borders
are the edges. Used by ``tools/dataset_converters/make_toy_dense.py`` and the tests.
"""
import os
import os.path as osp
from typing import Dict, Tuple

import numpy as np
from PIL import Image
from scipy import io as sio

from mmmtnas.datasets.dense.load_dense_annotations import context_edges

PERSON = 15
#: File name of the stand-in ImageNet checkpoint under the toy data folder.
STAND_IN_CHECKPOINT = 'stand_in_mobilenet_v2_w0.25.pth'
NYUD_CLASSES = 40
# Person parts by vertical band (top, bottom) and horizontal band (left, right) of the box.
_PART_BOXES = {
    'head': (0.0, 0.2, 0.3, 0.7), 'torso': (0.2, 0.55, 0.2, 0.8),
    'luarm': (0.2, 0.4, 0.0, 0.2), 'ruarm': (0.2, 0.4, 0.8, 1.0),
    'llarm': (0.4, 0.55, 0.0, 0.2), 'rlarm': (0.4, 0.55, 0.8, 1.0),
    'luleg': (0.55, 0.78, 0.2, 0.5), 'ruleg': (0.55, 0.78, 0.5, 0.8),
    'llleg': (0.78, 1.0, 0.2, 0.5), 'rlleg': (0.78, 1.0, 0.5, 0.8),
}


def _scene(rng: np.random.Generator, size: Tuple[int, int], num_classes: int,
           palette: np.ndarray, person_class=None) -> Dict[str, np.ndarray]:
    """Random boxes: class map, per-pixel object id (0 = background), colours, normals, depth."""
    h, w = size
    labels = np.zeros((h, w), np.int32)
    obj_ids = np.zeros((h, w), np.int32)
    horizon = int(h * rng.uniform(0.3, 0.6))
    normals = np.zeros((h, w, 3), np.float32)
    normals[:horizon] = (0.0, 0.0, 1.0)       # "wall" facing the camera
    normals[horizon:] = (0.0, -0.8, 0.6)      # "floor"
    depth = np.empty((h, w), np.float32)
    depth[:horizon] = 6.0
    depth[horizon:] = np.linspace(6.0, 2.0, h - horizon)[:, None]
    boxes = []
    for k in range(int(rng.integers(1, 4))):
        if person_class is not None and rng.random() < 0.5:
            cls = person_class
        else:
            cls = int(rng.integers(1, num_classes + 1))
        bh, bw = int(h * rng.uniform(0.3, 0.7)), int(w * rng.uniform(0.2, 0.5))
        top, left = int(rng.integers(0, h - bh + 1)), int(rng.integers(0, w - bw + 1))
        labels[top:top + bh, left:left + bw] = cls
        obj_ids[top:top + bh, left:left + bw] = k + 1
        n = rng.normal(size=3)
        n[2] = abs(n[2]) + 0.5
        normals[top:top + bh, left:left + bw] = n / np.linalg.norm(n)
        depth[top:top + bh, left:left + bw] = rng.uniform(1.0, 4.0)
        boxes.append((cls, top, left, bh, bw, k + 1))
    img = palette[labels] + rng.normal(0, 8, size=(h, w, 3))
    img[:horizon] += 20  # background is two-toned
    img = np.clip(img, 0, 255).astype(np.uint8)
    return dict(labels=labels, obj_ids=obj_ids, img=img, normals=normals, depth=depth,
                boxes=boxes, horizon=horizon)


def _person_parts(box, shape):
    _, top, left, bh, bw, _ = box
    parts = []
    for name, (y0, y1, x0, x1) in _PART_BOXES.items():
        mask = np.zeros(shape, np.uint8)
        mask[top + int(y0 * bh):top + int(y1 * bh), left + int(x0 * bw):left + int(x1 * bw)] = 1
        parts.append((name, mask))
    return parts


def _write_parts_mat(path: str, img_id: str, scene: dict) -> None:
    """PASCAL-Part ``anno`` struct: objects (class, class_ind, mask, parts(part_name, mask))."""
    shape = scene['labels'].shape
    objects = np.zeros((1, len(scene['boxes'])),
                       dtype=[('class', 'O'), ('class_ind', 'O'), ('mask', 'O'), ('parts', 'O')])
    for i, box in enumerate(scene['boxes']):
        cls, obj_id = box[0], box[5]
        mask = (scene['obj_ids'] == obj_id).astype(np.uint8)
        if cls == PERSON:
            plist = _person_parts(box, shape)
            parts = np.zeros((1, len(plist)), dtype=[('part_name', 'O'), ('mask', 'O')])
            for j, (name, pmask) in enumerate(plist):
                parts[0, j] = (name, pmask & mask)
        else:
            parts = np.zeros((0, 0))
        objects[0, i] = ('person' if cls == PERSON else f'class{cls}',
                         np.array([[cls]], np.uint8), mask, parts)
    anno = np.zeros((1, 1), dtype=[('imname', 'O'), ('objects', 'O')])
    anno[0, 0] = (img_id, objects)
    sio.savemat(path, {'anno': anno}, do_compression=True)


def _split_ids(num_images: int):
    ids = [f'{2008000000 + i:010d}'[:4] + '_' + f'{i:06d}' for i in range(num_images)]
    num_val = max(1, num_images // 4)
    return ids[:-num_val], ids[-num_val:]


def _write_lines(path: str, lines) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def make_toy_pascal_mt(root: str, num_images: int, seed: int, size: Tuple[int, int]) -> None:
    """Write the PASCAL-Context multi-task layout (see ``PascalContextMTDataset``)."""
    rng = np.random.default_rng(seed)
    palette = rng.integers(0, 256, size=(21, 3)).astype(np.float64)
    for sub in ('JPEGImages', 'semseg/pascal-context', 'human_parts', 'sal_distill',
                'normals_distill', 'pascal-context/trainval'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    train, val = _split_ids(num_images)
    for img_id in train + val:
        scene = _scene(rng, size, 20, palette, person_class=PERSON)
        Image.fromarray(scene['img']).save(osp.join(root, 'JPEGImages', f'{img_id}.jpg'),
                                           quality=95)
        Image.fromarray(scene['labels'].astype(np.uint8)).save(
            osp.join(root, 'semseg', 'pascal-context', f'{img_id}.png'))
        _write_parts_mat(osp.join(root, 'human_parts', f'{img_id}.mat'), img_id, scene)
        sal = (scene['labels'] > 0).astype(np.uint8) * 255
        Image.fromarray(sal).save(osp.join(root, 'sal_distill', f'{img_id}.png'))
        rgb = np.round((scene['normals'] + 1.0) / 2.0 * 255.0).astype(np.uint8)
        Image.fromarray(rgb).save(osp.join(root, 'normals_distill', f'{img_id}.png'))
        # Context labels: background wall / floor get their own labels, objects 100 + class.
        label_map = np.where(scene['labels'] > 0, 100 + scene['labels'], 0).astype(np.uint16)
        label_map[(scene['labels'] == 0)] = 12
        label_map[:scene['horizon']][scene['labels'][:scene['horizon']] == 0] = 7
        sio.savemat(osp.join(root, 'pascal-context', 'trainval', f'{img_id}.mat'),
                    {'LabelMap': label_map}, do_compression=True)
    _write_lines(osp.join(root, 'ImageSets', 'Context', 'train.txt'), train)
    _write_lines(osp.join(root, 'ImageSets', 'Context', 'val.txt'), val)


def make_toy_nyud_mt(root: str, num_images: int, seed: int, size: Tuple[int, int]) -> None:
    """Write the NYUD-v2 multi-task layout (see ``NYUDMTDataset``)."""
    rng = np.random.default_rng(seed + 1)
    palette = rng.integers(0, 256, size=(NYUD_CLASSES + 1, 3)).astype(np.float64)
    for sub in ('images', 'segmentation', 'depth', 'normals', 'edge'):
        os.makedirs(osp.join(root, sub), exist_ok=True)
    train, val = _split_ids(num_images)
    for img_id in train + val:
        scene = _scene(rng, size, NYUD_CLASSES, palette)
        seg = scene['labels'].copy()
        seg[seg == 0] = 1  # background is "wall" (class 1 on disk)
        seg[:, :2] = 0  # a thin unlabelled border, as the real maps have
        depth = scene['depth'].copy()
        depth[:, :2] = 0.0  # ... without depth
        Image.fromarray(scene['img']).save(osp.join(root, 'images', f'{img_id}.jpg'),
                                           quality=95)
        Image.fromarray(seg.astype(np.uint8)).save(
            osp.join(root, 'segmentation', f'{img_id}.png'))
        np.save(osp.join(root, 'depth', f'{img_id}.npy'), depth)
        np.save(osp.join(root, 'normals', f'{img_id}.npy'), scene['normals'])
        np.save(osp.join(root, 'edge', f'{img_id}.npy'), context_edges(scene['labels']))
    _write_lines(osp.join(root, 'gt_sets', 'train.txt'), train)
    _write_lines(osp.join(root, 'gt_sets', 'val.txt'), val)


def make_stand_in_imagenet_checkpoint(path: str, widen_factor: float = 0.25,
                                      seed: int = 0) -> str:
    """Write a STAND-IN for MMPretrain's ImageNet MobileNetV2 checkpoint: an MMPretrain
    ``MobileNetV2(widen_factor)`` with seeded random weights (not trained on anything), saved
    in the layout of MMPretrain's published checkpoints (``{'state_dict': {'backbone.<key>':
    tensor}}``, no classifier head). The toy configs load it where the real ones load ImageNet
    weights, so the toy runs exercise that initialisation offline.

    Args:
        path (str): Output file.
        widen_factor (float): Width of the MobileNetV2. Defaults to 0.25 (the toy encoder's).
        seed (int): Seed of the weights and batch-norm statistics.

    Returns:
        str: ``path``.
    """
    import torch
    from mmpretrain.models.backbones import MobileNetV2

    generator = torch.Generator().manual_seed(seed)
    backbone = MobileNetV2(widen_factor=widen_factor, act_cfg=dict(type='ReLU6'))
    state = {}
    for key, value in backbone.state_dict().items():
        if value.is_floating_point():
            value = torch.randn(value.shape, generator=generator) * 0.1
            if key.endswith(('.weight', '.running_var')) and value.ndim == 1:
                value = value.abs() + 0.5  # positive BN scales and variances
        state[f'backbone.{key}'] = value
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    torch.save({'state_dict': state, 'meta': dict(stand_in=True, seed=seed)}, path)
    return path


def make_toy_dense(out_dir: str, num_images: int = 8, seed: int = 0,
                   size: Tuple[int, int] = (64, 64)) -> Dict[str, str]:
    """Write both layouts under ``out_dir``: ``PASCAL_MT/`` and ``NYUD_MT/``, and the stand-in
    ImageNet checkpoint of the toy encoder (:func:`make_stand_in_imagenet_checkpoint`) as
    ``stand_in_mobilenet_v2_w0.25.pth``.

    Args:
        out_dir (str): Output folder.
        num_images (int): Images per data set (a quarter, at least 1, is the val split).
        seed (int): Seed; the same seed writes the same data.
        size (tuple[int, int]): Image (H, W).

    Returns:
        dict[str, str]: Roots of the two data sets (``pascal``, ``nyud``) and the checkpoint
        (``checkpoint``).
    """
    if num_images < 2:
        raise ValueError(f'num_images must be >= 2 (train and val), got {num_images}')
    if min(size) < 16:
        raise ValueError(f'size must be at least 16x16, got {size}')
    roots = dict(pascal=osp.join(out_dir, 'PASCAL_MT'), nyud=osp.join(out_dir, 'NYUD_MT'))
    make_toy_pascal_mt(roots['pascal'], num_images, seed, tuple(size))
    make_toy_nyud_mt(roots['nyud'], num_images, seed, tuple(size))
    roots['checkpoint'] = make_stand_in_imagenet_checkpoint(
        osp.join(out_dir, STAND_IN_CHECKPOINT), widen_factor=0.25, seed=seed)
    return roots
