"""Read every task's ground truth of a dense multi-task sample from its on-disk format."""
from typing import Dict, Optional, Sequence

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from PIL import Image
from scipy import io as sio

from mmmtnas.registry import TRANSFORMS

IGNORE = 255

# PASCAL-Part person parts -> grouped part ids (the 1/4/6/14-part groupings used by ASTMT).
_HEAD = ('hair', 'head', 'lear', 'lebrow', 'leye', 'mouth', 'nose', 'rear', 'rebrow', 'reye')


def _parts_map(num_parts: int) -> Dict[str, int]:
    groups = {
        1: {},
        4: dict(neck=2, torso=2, luarm=3, ruarm=3, llarm=3, rlarm=3, lhand=3, rhand=3,
                luleg=4, ruleg=4, llleg=4, rlleg=4, lfoot=4, rfoot=4),
        6: dict(neck=2, torso=2, luarm=3, ruarm=3, llarm=4, rlarm=4, lhand=4, rhand=4,
                luleg=5, ruleg=5, llleg=6, rlleg=6, lfoot=6, rfoot=6),
        14: dict(neck=2, torso=2, ruarm=3, rlarm=4, rhand=5, luarm=6, llarm=7, lhand=8,
                 ruleg=9, rlleg=10, rfoot=11, luleg=12, llleg=13, lfoot=14),
    }[num_parts]
    mapping = {name: 1 for name in _HEAD}
    if num_parts == 1:
        mapping.update({k: 1 for k in groups[6]})
    mapping.update(groups)
    return mapping


PERSON_CLASS = 15


def load_pascal_human_parts(path: str, shape, num_parts: int = 6) -> np.ndarray:
    """Part label map of the persons in a PASCAL-Part ``.mat``; all 255 when it has none.

    ASTMT leaves images without annotated person parts out of the human-parts loss and metric
    by making the whole map ``ignore``.
    """
    anno = sio.loadmat(path)['anno'][0, 0]
    mapping = _parts_map(num_parts)
    target = np.zeros(shape, np.uint8)
    found = False
    for obj in anno['objects'][0]:
        if int(obj['class_ind'].squeeze()) != PERSON_CLASS or obj['parts'].size == 0:
            continue
        for part in obj['parts'][0]:
            name = str(part['part_name'].squeeze())
            if name not in mapping:
                raise KeyError(f'{path}: unknown person part {name!r}')
            target[part['mask'].astype(bool)] = mapping[name]
            found = True
    if not found:
        target[:] = IGNORE
    return target


def context_edges(label_map: np.ndarray) -> np.ndarray:
    """One-pixel-wide boundaries between Context labels (Laplacian != 0, then thinning)."""
    from pyEdgeEval.preprocess import binary_thin
    lap = cv2.Laplacian(label_map.astype(np.float64), cv2.CV_64F)
    return binary_thin(np.abs(lap) > 0).astype(np.float32)


def _png(path: str) -> np.ndarray:
    return np.array(Image.open(path))


@TRANSFORMS.register_module()
class LoadDenseAnnotations(BaseTransform):
    """Load ``gt_<task>`` arrays for ``results['dense_tasks']`` from ``results['ann_paths']``.

    Array conventions after loading (and through every dense transform):

    - ``semseg``, ``human_parts``: ``(H, W)`` uint8 labels, 255 = ignore.
    - ``sal``, ``edge``: ``(H, W)`` float32 in {0, 1}, 255 = ignore.
    - ``normals``: ``(H, W, 3)`` float32 unit vectors, zero vector = invalid.
    - ``depth``: ``(H, W)`` float32 metres, 0 = invalid.

    Required keys: ``dense_tasks``, ``ann_paths``, ``ann_format`` (``'pascal_mt'`` or
    ``'nyud_mt'``), ``img_shape`` (when loaded after the image) or ``img_path``.
    Added keys: ``gt_<task>`` per task, ``dense_fields`` (their names).

    Args:
        tasks (Sequence[str], optional): Load only these tasks (default: all the sample's).
    """

    def __init__(self, tasks: Optional[Sequence[str]] = None) -> None:
        self.tasks = tuple(tasks) if tasks is not None else None

    def transform(self, results: dict) -> dict:
        """Load the ground truth of each task."""
        tasks = self.tasks or tuple(results['dense_tasks'])
        paths = results['ann_paths']
        fmt = results['ann_format']
        loader = dict(pascal_mt=self._pascal, nyud_mt=self._nyud).get(fmt)
        if loader is None:
            raise ValueError(f"unknown ann_format {fmt!r}: expected 'pascal_mt' or 'nyud_mt'")
        for task in tasks:
            if task not in paths:
                raise KeyError(f"no annotation path for task '{task}' "
                               f"(img_path={results.get('img_path')})")
            results[f'gt_{task}'] = loader(task, paths, results)
        results['dense_fields'] = [f'gt_{t}' for t in tasks]
        return results

    @staticmethod
    def _pascal(task: str, paths: dict, results: dict) -> np.ndarray:
        if task == 'semseg':
            return _png(paths[task]).astype(np.uint8)
        if task == 'sal':
            sal = _png(paths[task]).astype(np.float32)
            sal = sal[..., 0] if sal.ndim == 3 else sal
            return (sal / 255.0 > 0.5).astype(np.float32)
        if task == 'edge':
            return context_edges(sio.loadmat(paths[task])['LabelMap'])
        if task == 'normals':
            rgb = _png(paths[task])[..., :3].astype(np.float32)
            normals = 2.0 * rgb / 255.0 - 1.0
            labels = sio.loadmat(paths['context_labels'])['LabelMap']
            valid_classes = results.get('normals_valid_classes')
            valid = (np.isin(labels, valid_classes) if valid_classes is not None else
                     labels != 0)
            normals[~valid] = 0.0
            return normals
        if task == 'human_parts':
            shape = results.get('ori_shape') or _png(results['img_path']).shape[:2]
            return load_pascal_human_parts(paths[task], shape[:2],
                                           results.get('num_human_parts', 6))
        raise KeyError(f"PASCAL-Context has no task '{task}'")

    @staticmethod
    def _nyud(task: str, paths: dict, results: dict) -> np.ndarray:
        if task == 'semseg':
            seg = _png(paths[task]).astype(np.int32)
            # NYU-40: 0 is "unlabelled" (ignored, as in ASTMT/MTI-Net); classes shift to 0..39.
            return np.where(seg == 0, IGNORE, seg - 1).astype(np.uint8)
        arr = np.load(paths[task]).astype(np.float32)
        if task == 'normals' and (arr.ndim != 3 or arr.shape[2] != 3):
            raise ValueError(f'{paths[task]}: normals must be (H, W, 3), got {arr.shape}')
        if task in ('depth', 'edge') and arr.ndim != 2:
            raise ValueError(f'{paths[task]}: {task} must be (H, W), got {arr.shape}')
        return arr
