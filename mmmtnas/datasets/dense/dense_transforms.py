"""Geometric transforms applied consistently to an image and all its dense task maps."""
from typing import Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmmtnas.registry import TRANSFORMS

#: Fill value of each task map outside the image (ignore / invalid).
FILL = dict(gt_semseg=255, gt_human_parts=255, gt_sal=255, gt_edge=255, gt_normals=0.0,
            gt_depth=0.0)
IMG_FILL = 127.5  # maps to 0 after intensities are rescaled to [-1, 1]


def _fields(results: dict):
    return list(results.get('dense_fields', []))


@TRANSFORMS.register_module()
class DenseRandomScale(BaseTransform):
    """Rescale image and task maps by a factor drawn from ``scales`` (BMTAS: 0.5..2.0 by 0.25).

    The image is resized bilinearly, every task map by nearest neighbour (as ASTMT/BMTAS), and
    depth values are divided by the factor (enlarging the image brings the scene closer).

    Args:
        scales (Sequence[float]): Candidate factors, drawn uniformly.
    """

    def __init__(self, scales: Sequence[float] = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)) -> None:
        if not scales or min(scales) <= 0:
            raise ValueError(f'scales must be positive, got {scales}')
        self.scales = tuple(float(s) for s in scales)

    def transform(self, results: dict) -> dict:
        """Rescale ``img`` and every ``dense_fields`` map."""
        scale = self.scales[np.random.randint(len(self.scales))]
        results['scale_factor'] = (scale, scale)
        if scale == 1.0:
            return results
        h, w = results['img'].shape[:2]
        size = (max(1, int(w * scale)), max(1, int(h * scale)))  # cv2 wants (w, h)
        results['img'] = cv2.resize(results['img'], size, interpolation=cv2.INTER_LINEAR)
        for key in _fields(results):
            results[key] = cv2.resize(results[key], size, interpolation=cv2.INTER_NEAREST)
            if key == 'gt_depth':
                results[key] = results[key] / scale
        results['img_shape'] = results['img'].shape[:2]
        return results


def _pad_to(arr: np.ndarray, size: Tuple[int, int], fill, center: bool = False) -> np.ndarray:
    """Pad ``arr`` to at least ``size`` with ``fill``: at the bottom/right, or evenly around it
    (``center``; an odd remainder goes to the bottom/right)."""
    h, w = arr.shape[:2]
    ph, pw = max(size[0] - h, 0), max(size[1] - w, 0)
    if ph == 0 and pw == 0:
        return arr
    top, left = (ph // 2, pw // 2) if center else (0, 0)
    pad = ((top, ph - top), (left, pw - left)) + ((0, 0), ) * (arr.ndim - 2)
    return np.pad(arr, pad, constant_values=fill)


@TRANSFORMS.register_module()
class DensePad(BaseTransform):
    """Pad image and task maps to at least ``size`` (H, W), centred or at the bottom/right.

    ``img_shape`` keeps the unpadded size and ``padding_size`` the padding as
    ``(left, right, top, bottom)`` (MMSeg's key and order): the model crops its predictions back
    to the image with them, and the metrics crop the ground truth the same way. ``pad_shape``
    is the padded size. The BMTAS authors pad validation images centred.

    Args:
        size (tuple[int, int]): Minimum (H, W).
        center (bool): Centre the image in the padded canvas; False pads at the bottom and
            right. Defaults to True.
    """

    def __init__(self, size: Tuple[int, int], center: bool = True) -> None:
        self.size = tuple(size)
        self.center = bool(center)

    def transform(self, results: dict) -> dict:
        """Pad ``img`` with 127.5 and each map with its ignore value."""
        h, w = results['img'].shape[:2]
        results['img_shape'] = (h, w)
        results['img'] = _pad_to(results['img'], self.size, IMG_FILL, self.center)
        for key in _fields(results):
            results[key] = _pad_to(results[key], self.size, FILL.get(key, 255), self.center)
        ph, pw = results['img'].shape[0] - h, results['img'].shape[1] - w
        top, left = (ph // 2, pw // 2) if self.center else (0, 0)
        results['padding_size'] = (left, pw - left, top, ph - top)
        results['pad_shape'] = results['img'].shape[:2]
        return results


@TRANSFORMS.register_module()
class DenseRandomCrop(BaseTransform):
    """Pad (if smaller) then crop image and task maps to ``crop_size`` at a random place.

    Args:
        crop_size (tuple[int, int]): Output (H, W).
    """

    def __init__(self, crop_size: Union[int, Tuple[int, int]]) -> None:
        self.crop_size = (crop_size, crop_size) if isinstance(crop_size, int) else tuple(
            crop_size)

    def transform(self, results: dict) -> dict:
        """Pad with ignore values, then crop everything at one random offset."""
        ch, cw = self.crop_size
        img = _pad_to(results['img'], self.crop_size, IMG_FILL)
        h, w = img.shape[:2]
        top = np.random.randint(h - ch + 1)
        left = np.random.randint(w - cw + 1)
        results['img'] = img[top:top + ch, left:left + cw]
        for key in _fields(results):
            arr = _pad_to(results[key], self.crop_size, FILL.get(key, 255))
            results[key] = arr[top:top + ch, left:left + cw]
        results['img_shape'] = results['img'].shape[:2]
        results['pad_shape'] = results['img'].shape[:2]
        return results


@TRANSFORMS.register_module()
class DenseRandomFlip(BaseTransform):
    """Horizontal flip of image and task maps; the normals' x component changes sign.

    Args:
        prob (float): Flip probability. Defaults to 0.5.
    """

    def __init__(self, prob: float = 0.5) -> None:
        if not 0.0 <= prob <= 1.0:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob

    def transform(self, results: dict) -> dict:
        """Flip with probability ``prob``; record ``flip`` and ``flip_direction``."""
        flip = np.random.rand() < self.prob
        results['flip'] = bool(flip)
        results['flip_direction'] = 'horizontal' if flip else None
        if flip:
            flip_dense(results)
        return results


def flip_dense(results: dict) -> dict:
    """Flip ``img`` and all dense maps left-right in place (normals: x negated)."""
    results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
    for key in _fields(results):
        arr = np.ascontiguousarray(results[key][:, ::-1])
        if key == 'gt_normals':
            arr = arr.copy()
            arr[..., 0] *= -1.0
        results[key] = arr
    return results
