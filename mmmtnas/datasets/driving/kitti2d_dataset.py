"""KITTI object detection, 2D boxes only, read from the original ``label_2`` text files.

MMDetection 3.x has no KITTI 2D loader (MMDetection3D's needs its own info .pkl files), so this
is a small :class:`mmdet.datasets.BaseDetDataset` that reads the files as KITTI ships them::

    kitti/
      ImageSets/train.txt, val.txt        one frame id per line (e.g. the 3DOP split)
      training/image_2/000000.png ...
      training/label_2/000000.txt ...     15 fields per object (see ``KITTI_FIELDS``)
"""
import os.path as osp
from collections import Counter
from typing import Dict, List, Optional, Sequence

from mmdet.datasets import BaseDetDataset
from mmengine.fileio import get_local_path, list_from_file
from PIL import Image

from mmmtnas.registry import DATASETS
from .data_paths import check_data_paths
from .unknown_categories import check_unknown_categories

KITTI_FIELDS = ('type', 'truncated', 'occluded', 'alpha', 'x1', 'y1', 'x2', 'y2', 'height',
                'width', 'length', 'x', 'y', 'z', 'rotation_y')
KITTI_TYPES = ('Car', 'Van', 'Truck', 'Pedestrian', 'Person_sitting', 'Cyclist', 'Tram', 'Misc',
               'DontCare')
# KITTI's evaluation difficulty levels: (min box height px, max occlusion level, max truncation).
KITTI_DIFFICULTY = {'easy': (40, 0, 0.15), 'moderate': (25, 1, 0.3), 'hard': (25, 2, 0.5)}


class KittiLabelFormatError(ValueError):
    """A ``label_2`` line does not follow the KITTI format."""


def parse_kitti_line(line: str, path: str = '<string>', lineno: int = 1) -> dict:
    """Parse one ``label_2`` line.

    Args:
        line (str): The line: 15 space-separated fields (a 16th, the score, is allowed as
            in result files).
        path (str): File name, for error messages.
        lineno (int): 1-based line number, for error messages.

    Returns:
        dict: ``type`` (str), ``truncated`` (float), ``occluded`` (int), ``alpha`` (float),
        ``bbox`` ([x1, y1, x2, y2]), ``dimensions`` ([h, w, l]), ``location`` ([x, y, z]),
        ``rotation_y`` (float).

    Raises:
        KittiLabelFormatError: Naming the file, the line and what is wrong.
    """
    fields = line.split()
    where = f'{path}:{lineno}'
    if len(fields) not in (15, 16):
        raise KittiLabelFormatError(
            f'{where}: expected 15 space-separated fields ({" ".join(KITTI_FIELDS)}), got '
            f'{len(fields)}: {line.strip()!r}')
    if fields[0] not in KITTI_TYPES:
        raise KittiLabelFormatError(
            f'{where}: unknown object type {fields[0]!r}; KITTI types are {KITTI_TYPES}')
    values = []
    for name, text in zip(KITTI_FIELDS[1:], fields[1:15]):
        try:
            values.append(float(text))
        except ValueError:
            raise KittiLabelFormatError(
                f'{where}: field {name!r} is not a number: {text!r}') from None
    truncated, occluded, alpha, x1, y1, x2, y2 = values[:7]
    if x2 < x1 or y2 < y1:
        raise KittiLabelFormatError(
            f'{where}: box (x1, y1, x2, y2) = ({x1}, {y1}, {x2}, {y2}) has x2 < x1 or y2 < y1')
    return dict(type=fields[0], truncated=truncated, occluded=int(occluded), alpha=alpha,
                bbox=[x1, y1, x2, y2], dimensions=values[7:10], location=values[10:13],
                rotation_y=values[13])


@DATASETS.register_module()
class Kitti2DDataset(BaseDetDataset):
    """KITTI 2D object detection (car, pedestrian, cyclist by default).

    Objects become instances of ``classes`` through ``type_map``; objects of the "neighbouring"
    types in ``ignore_types`` (KITTI's evaluation neither rewards nor penalises detections on a
    Van for Car, or a Person_sitting for Pedestrian) become ignored instances of that class;
    ``DontCare`` regions become ignored instances of every class (mmdet ignore boxes carry a
    label, and a detection of any class inside a DontCare region is not a false positive);
    objects of the types in ``drop_types`` are dropped and counted in the log. An object of any
    other type is an error naming the label folder and the types, so that no object is lost
    without the config saying so. With ``difficulty`` set, objects harder than that KITTI level
    are ignored as well.

    Args:
        ann_file (str): Split list, one frame id per line (relative to ``data_root``).
        data_prefix (dict): ``img`` (image folder) and ``ann`` (``label_2`` folder). Defaults
            to ``training/image_2`` and ``training/label_2``.
        type_map (dict): KITTI type -> class name. Defaults to Car/Pedestrian/Cyclist ->
            car/pedestrian/cyclist.
        ignore_types (dict): KITTI type -> class name, kept as ignored boxes. Defaults to
            Van -> car, Person_sitting -> pedestrian.
        drop_types (Sequence[str]): KITTI types whose objects are dropped (e.g. Truck, Tram,
            Misc with the default tables). Defaults to none.
        dontcare_as_ignore (bool): Keep DontCare regions as ignored boxes. Defaults to True.
        difficulty (str, optional): 'easy', 'moderate' or 'hard': ignore objects beyond it.
        img_suffix (str): Image file suffix. Defaults to '.png'.
        **kwargs: Other arguments of :class:`mmdet.datasets.BaseDetDataset`.
    """

    METAINFO = dict(classes=('car', 'pedestrian', 'cyclist'),
                    palette=[(0, 0, 142), (220, 20, 60), (119, 11, 32)])

    def __init__(self,
                 ann_file: str = 'ImageSets/train.txt',
                 data_prefix: dict = dict(img='training/image_2', ann='training/label_2'),
                 type_map: Optional[Dict[str, str]] = None,
                 ignore_types: Optional[Dict[str, str]] = None,
                 drop_types: Sequence[str] = (),
                 dontcare_as_ignore: bool = True,
                 difficulty: Optional[str] = None,
                 img_suffix: str = '.png',
                 **kwargs) -> None:
        self.type_map = dict(Car='car', Pedestrian='pedestrian', Cyclist='cyclist') \
            if type_map is None else dict(type_map)
        self.ignore_types = dict(Van='car', Person_sitting='pedestrian') \
            if ignore_types is None else dict(ignore_types)
        self.drop_types = tuple(drop_types)
        for name in list(self.type_map) + list(self.ignore_types) + list(self.drop_types):
            if name not in KITTI_TYPES:
                raise KeyError(f'Kitti2DDataset: {name!r} is not a KITTI type; types are '
                               f'{KITTI_TYPES}')
        mapped = [t for t in self.drop_types
                  if t in self.type_map or t in self.ignore_types or t == 'DontCare']
        if mapped:
            raise ValueError(f'Kitti2DDataset: drop_types lists {mapped}, which type_map, '
                             'ignore_types or dontcare_as_ignore already handle')
        if difficulty is not None and difficulty not in KITTI_DIFFICULTY:
            raise ValueError(f'Kitti2DDataset: difficulty must be one of '
                             f'{tuple(KITTI_DIFFICULTY)} or None, got {difficulty!r}')
        self.dontcare_as_ignore = dontcare_as_ignore
        self.difficulty = difficulty
        self.img_suffix = img_suffix
        check_data_paths('Kitti2DDataset', kwargs.get('data_root'),
                         [ann_file] + [v for v in data_prefix.values() if v])
        super().__init__(ann_file=ann_file, data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the split list and each frame's ``label_2`` file.

        Returns:
            list[dict]: One data info per frame with ``img_path``, ``img_id``, ``height``,
            ``width`` and ``instances`` (``bbox``, ``bbox_label``, ``ignore_flag``).
        """
        classes: Sequence[str] = self.metainfo['classes']
        for name in set(self.type_map.values()) | set(self.ignore_types.values()):
            if name not in classes:
                raise ValueError(f'Kitti2DDataset: type_map/ignore_types map to {name!r}, which '
                                 f'is not in classes {tuple(classes)}')
        data_list = []
        unmapped: Counter = Counter()  # objects of types outside the tables, by type
        first_file: Dict[str, str] = {}
        frame_ids = [x.strip() for x in list_from_file(self.ann_file,
                                                       backend_args=self.backend_args)]
        for frame in filter(None, frame_ids):
            img_path = osp.join(self.data_prefix['img'], frame + self.img_suffix)
            ann_path = osp.join(self.data_prefix['ann'], frame + '.txt')
            with get_local_path(img_path, backend_args=self.backend_args) as local:
                with Image.open(local) as img:  # reads the header only
                    width, height = img.size
            with get_local_path(ann_path, backend_args=self.backend_args) as local:
                with open(local) as f:
                    lines = f.read().splitlines()
            instances = []
            for lineno, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                obj = parse_kitti_line(line, ann_path, lineno)
                kind = obj['type']
                if kind in self.type_map or kind in self.ignore_types or kind == 'DontCare':
                    instances.extend(self._instances(obj, classes))
                else:
                    unmapped[kind] += 1
                    first_file.setdefault(kind, ann_path)
            data_list.append(dict(img_path=img_path, img_id=frame, seg_map_path=None,
                                  height=height, width=width, instances=instances))
        firsts = ', '.join(f'{k} in {first_file[k]}' for k in sorted(first_file))
        check_unknown_categories(
            'Kitti2DDataset', f"{self.data_prefix['ann']} (first {firsts})", unmapped,
            self.drop_types, 'drop_types', 'type')
        return data_list

    def _instances(self, obj: dict, classes: Sequence[str]) -> List[dict]:
        kind = obj['type']
        if kind == 'DontCare':
            if not self.dontcare_as_ignore:
                return []
            return [dict(bbox=obj['bbox'], bbox_label=i, ignore_flag=1)
                    for i in range(len(classes))]
        if kind in self.type_map:
            ignore = 0
            if self.difficulty is not None:
                min_h, max_occ, max_trunc = KITTI_DIFFICULTY[self.difficulty]
                x1, y1, x2, y2 = obj['bbox']
                ignore = int(y2 - y1 < min_h or obj['occluded'] > max_occ
                             or obj['truncated'] > max_trunc)
            return [dict(bbox=obj['bbox'], bbox_label=classes.index(self.type_map[kind]),
                         ignore_flag=ignore)]
        return [dict(bbox=obj['bbox'], bbox_label=classes.index(self.ignore_types[kind]),
                     ignore_flag=1)]

    def filter_data(self) -> List[dict]:
        """Apply ``filter_cfg``: ``filter_empty_gt`` drops frames without a non-ignored
        instance, ``min_size`` drops frames smaller than that (as mmdet's CocoDataset does).
        Nothing is filtered in test mode.

        Returns:
            list[dict]: The kept data infos.
        """
        if self.test_mode or not self.filter_cfg:
            return self.data_list
        filter_empty = self.filter_cfg.get('filter_empty_gt', False)
        min_size = self.filter_cfg.get('min_size', 0)
        return [info for info in self.data_list
                if min(info['width'], info['height']) >= min_size and
                not (filter_empty and all(i['ignore_flag'] for i in info['instances']))]
