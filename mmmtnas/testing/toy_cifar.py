"""Write a tiny, seeded CIFAR-10 in CIFAR's own binary format (the python pickles).

The layout is the one ``cifar-10-python.tar.gz`` extracts to, which mmpretrain's ``CIFAR10``
(and :class:`mmmtnas.LocalCIFAR10`) read::

    <out>/cifar-10-batches-py/data_batch_1 .. data_batch_5   (training batches)
    <out>/cifar-10-batches-py/test_batch
    <out>/cifar-10-batches-py/batches.meta                   (label_names)

Each batch is a pickled dict with ``data`` (``uint8``, ``N x 3072``: the 1024 red, then green,
then blue values of a 32x32 image, row-major), ``labels`` (``N`` ints in 0..9), ``filenames``
and ``batch_label``, as in the real files. Images are learnable: class ``c`` draws stripes of
its own orientation and frequency in its own two colours, plus noise, so a tiny search on them
has a signal to follow.
"""
import os
import os.path as osp
import pickle
from typing import Dict, List

import numpy as np

# The real batches.meta label_names, in label order.
CIFAR10_CLASSES = ('airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse',
                   'ship', 'truck')
BASE_FOLDER = 'cifar-10-batches-py'
TRAIN_BATCHES = tuple(f'data_batch_{i}' for i in range(1, 6))
SIZE = 32


def _image(rng: np.random.Generator, label: int) -> np.ndarray:
    """A 32x32x3 uint8 image of class ``label`` (channels last)."""
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    angle = np.pi * label / len(CIFAR10_CLASSES)
    freq = 0.25 + 0.05 * (label % 5)
    phase = rng.uniform(0, 2 * np.pi)
    wave = 0.5 + 0.5 * np.sin(freq * (np.cos(angle) * xx + np.sin(angle) * yy) + phase)
    colours = np.random.default_rng(label).integers(0, 256, size=(2, 3)).astype(np.float32)
    img = wave[..., None] * colours[0] + (1 - wave[..., None]) * colours[1]
    img += rng.normal(0, 12, size=img.shape)
    return np.clip(img, 0, 255).astype(np.uint8)


def _batch(rng: np.random.Generator, num: int, batch_label: str, prefix: str) -> dict:
    labels = [int(v) for v in rng.integers(0, len(CIFAR10_CLASSES), size=num)]
    images = [_image(rng, label) for label in labels]
    # HWC -> CHW, flattened: the 3072 bytes of one row of `data`
    data = np.stack([img.transpose(2, 0, 1).reshape(-1) for img in images]).astype(np.uint8)
    names = [f'{prefix}_{i:05d}_{CIFAR10_CLASSES[label]}.png' for i, label in enumerate(labels)]
    return dict(batch_label=batch_label, labels=labels, data=data, filenames=names)


def _dump(path: str, obj) -> None:
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        pickle.dump(obj, f, protocol=2)
    os.replace(tmp, path)


def make_toy_cifar10(out_dir: str, images_per_batch: int = 8, test_images: int = 16,
                     seed: int = 0) -> Dict[str, List[int]]:
    """Write the toy CIFAR-10 under ``out_dir/cifar-10-batches-py``.

    Args:
        out_dir (str): The dataset root (mmpretrain's ``data_root``).
        images_per_batch (int): Images in each of the five training batches. Defaults to 8.
        test_images (int): Images in ``test_batch``. Defaults to 16.
        seed (int): Seed; equal seeds give byte-identical files. Defaults to 0.

    Returns:
        dict: ``{'train': labels, 'test': labels}`` in file order (the training labels of the
        five batches concatenated).
    """
    if images_per_batch < 1 or test_images < 1:
        raise ValueError(f'make_toy_cifar10: images_per_batch and test_images must be >= 1, '
                         f'got {images_per_batch}, {test_images}')
    root = osp.join(out_dir, BASE_FOLDER)
    os.makedirs(root, exist_ok=True)
    labels: Dict[str, List[int]] = dict(train=[], test=[])
    for i, name in enumerate(TRAIN_BATCHES):
        batch = _batch(np.random.default_rng([seed, 1, i]), images_per_batch,
                       f'training batch {i + 1} of 5', name)
        _dump(osp.join(root, name), batch)
        labels['train'] += batch['labels']
    batch = _batch(np.random.default_rng([seed, 2]), test_images, 'testing batch 1 of 1', 'test')
    _dump(osp.join(root, 'test_batch'), batch)
    labels['test'] = batch['labels']
    _dump(osp.join(root, 'batches.meta'),
          dict(num_cases_per_batch=images_per_batch, label_names=list(CIFAR10_CLASSES),
               num_vis=SIZE * SIZE * 3))
    return labels
