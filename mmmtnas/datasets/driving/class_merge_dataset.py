"""Map the classes of an upstream dataset onto a common class list, by a table in the config.

Mixed sets (BDD100K + Waymo detection, Cityscapes + BDD100K segmentation) need every source to
speak one class vocabulary. The files stay as the sources ship them; this wrapper rewrites
labels as samples are read:

- detection samples (``instances``): each ``bbox_label`` is mapped; instances of classes that map
  to ``None`` are dropped;
- segmentation samples (``seg_map_path``): the mapping is handed to mmseg's
  ``LoadAnnotations`` as the sample's ``label_map`` (composed with any label map the source
  already has), and classes that map to ``None`` become the ignore index.

It also checks, when built, that the source's data root and folders exist (one-line error),
and that a COCO-style source has no annotation whose category is outside the source's classes
(mmdet's ``CocoDataset`` skips those without a word): they are an error, or dropped and counted
in the log when ``drop_category_ids`` lists them (see :mod:`.unknown_categories`).
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset, Compose

from mmmtnas.registry import DATASETS
from .data_paths import check_data_paths
from .unknown_categories import check_unknown_categories

IGNORE_INDEX = 255


def build_label_table(source: Sequence[str], class_map: Optional[Dict[str, Optional[str]]],
                      classes: Optional[Sequence[str]] = None, owner: str = 'ClassMergeDataset'
                      ) -> tuple:
    """Turn a by-name class table into target classes and an index table.

    Args:
        source (Sequence[str]): Class names of the source dataset, in label order.
        class_map (dict, optional): ``{source name: target name or None}``; must name every
            source class (an explicit table, so a new source class is never merged by
            accident). ``None`` keeps the source classes.
        classes (Sequence[str], optional): Target classes in label order. Defaults to the
            distinct targets of ``class_map`` in order of first appearance.
        owner (str): Name used in error messages.

    Returns:
        tuple: ``(classes, index)`` where ``index[i]`` is the target label of source label
        ``i`` or -1 when the class is dropped.

    Raises:
        KeyError: ``class_map`` names a class the source does not have.
        ValueError: ``class_map`` misses a source class, or maps to a class not in ``classes``.
    """
    source = list(source)
    if class_map is None:
        targets = list(classes) if classes is not None else source
        if targets != source:
            raise ValueError(f'{owner}: without class_map the classes must be the source '
                             f'classes {tuple(source)}, got {tuple(targets)}')
        return tuple(source), np.arange(len(source))
    unknown = [k for k in class_map if k not in source]
    if unknown:
        raise KeyError(f'{owner}: class_map names {unknown}, which the source dataset does not '
                       f'have; its classes are {tuple(source)}')
    missing = [c for c in source if c not in class_map]
    if missing:
        raise ValueError(f'{owner}: class_map must name every source class (map it to None to '
                         f'drop it); missing {missing}')
    if classes is None:
        classes = list(dict.fromkeys(v for v in class_map.values() if v is not None))
    classes = list(classes)
    bad = sorted({v for v in class_map.values() if v is not None and v not in classes})
    if bad:
        raise ValueError(f'{owner}: class_map maps to {bad}, which are not in classes '
                         f'{tuple(classes)}')
    index = np.array([-1 if class_map[c] is None else classes.index(class_map[c])
                      for c in source])
    return tuple(classes), index


@DATASETS.register_module()
class ClassMergeDataset:
    """Wrap an upstream detection or segmentation dataset and map its classes by a table.

    Args:
        dataset (dict | BaseDataset): The source dataset (any mmdet / mmseg / mmmtnas dataset).
            Its own ``pipeline`` must be empty: the wrapper runs ``pipeline`` on the mapped
            samples.
        class_map (dict, optional): ``{source class: target class or None}``, naming every
            source class. ``None`` (default) keeps the source classes unchanged, so the wrapper
            only adds the data-root check.
        classes (Sequence[str], optional): Target classes, in label order (this order is what
            the model and the metrics see). Defaults to the targets of ``class_map`` in order of
            first appearance.
        palette (Sequence, optional): Colours of the target classes. Defaults to the source
            colour of the first source class mapped to each target.
        pipeline (list): Transforms applied to each mapped sample.
        drop_category_ids (Sequence[int]): Category ids of a COCO-style source's annotation
            file that are not among the source's classes and whose annotations may be dropped
            (counted in the log). Annotations of any other such category are an error.
            Defaults to none.
        lazy_init (bool): Defer loading the source's annotations. Defaults to False.
        max_refetch (int): Retries with another index when a training pipeline returns None.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 class_map: Optional[Dict[str, Optional[str]]] = None,
                 classes: Optional[Sequence[str]] = None,
                 palette: Optional[Sequence] = None,
                 pipeline: Sequence[Union[dict, callable]] = (),
                 drop_category_ids: Sequence[int] = (),
                 lazy_init: bool = False,
                 max_refetch: int = 1000) -> None:
        if isinstance(dataset, dict):
            cfg = copy.deepcopy(dataset)
            if cfg.get('pipeline'):
                raise ValueError(f"ClassMergeDataset: put the pipeline on the wrapper, not on the "
                                 f"source dataset {cfg.get('type')}")
            cfg['pipeline'] = []
            check_data_paths(str(cfg.get('type')), cfg.get('data_root'),
                             [cfg.get('ann_file')] + _prefix_paths(cfg.get('data_prefix')))
            self.dataset = DATASETS.build(cfg)
        elif isinstance(dataset, BaseDataset):
            self.dataset = dataset
        else:
            raise TypeError('ClassMergeDataset: dataset must be a config dict or a BaseDataset, '
                            f'got {type(dataset)}')
        owner = self._owner = f'ClassMergeDataset({type(self.dataset).__name__})'
        self.drop_category_ids = tuple(int(i) for i in drop_category_ids)
        source_meta = self.dataset.metainfo
        source_classes = source_meta.get('classes')
        if source_classes is None:
            raise ValueError(f'{owner}: the source dataset has no classes in its metainfo')
        self.classes, self.label_index = build_label_table(source_classes, class_map, classes,
                                                           owner)
        if palette is None and source_meta.get('palette') is not None:
            src_palette = list(source_meta['palette'])
            palette = []
            for target in range(len(self.classes)):
                hits = np.nonzero(self.label_index == target)[0]
                palette.append(list(src_palette[hits[0]]) if len(hits) and
                               hits[0] < len(src_palette) else [0, 0, 0])
        self._metainfo = dict(classes=self.classes)
        if palette is not None:
            self._metainfo['palette'] = [list(c) for c in palette]
        self.test_mode = getattr(self.dataset, 'test_mode', False)
        self.pipeline = Compose(list(pipeline))
        self.max_refetch = max_refetch
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """dict: Target ``classes`` (and ``palette``); a copy, as mmengine datasets return."""
        return copy.deepcopy(self._metainfo)

    def full_init(self) -> None:
        """Load the source's annotations and check their categories."""
        if self._fully_initialized:
            return
        self.dataset.full_init()
        self._check_source_categories()
        self._fully_initialized = True

    def _check_source_categories(self) -> None:
        """Apply the unknown-category rule to a COCO-style source."""
        # mmdet's CocoDataset keeps, of the parsed file, the ids of the source classes
        # (`cat_ids`) and every annotated category id with one entry per annotation
        # (`cat_img_map`); annotations of the other ids were skipped while parsing.
        cat_ids = getattr(self.dataset, 'cat_ids', None)
        cat_img_map = getattr(self.dataset, 'cat_img_map', None)
        if cat_ids is None or cat_img_map is None:
            if self.drop_category_ids:
                raise ValueError(f'{self._owner}: drop_category_ids applies to COCO-style '
                                 'sources (mmdet CocoDataset) only')
            return
        known = [i for i in self.drop_category_ids if i in cat_ids]
        if known:
            raise ValueError(f'{self._owner}: drop_category_ids lists {known}, which are '
                             'categories of source classes; map those classes to None in '
                             'class_map instead')
        counts = {int(cat): len(imgs) for cat, imgs in cat_img_map.items()
                  if cat not in cat_ids}
        check_unknown_categories(self._owner, self.dataset.ann_file, counts,
                                 self.drop_category_ids, 'drop_category_ids', 'category id')

    def __len__(self) -> int:
        self.full_init()
        return len(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        """The source's sample ``idx`` with its labels mapped to the target classes.

        Args:
            idx (int): Sample index.

        Returns:
            dict: Data info, ready for the pipeline.
        """
        self.full_init()
        info = self.dataset.get_data_info(idx)
        if 'instances' in info:
            kept: List[dict] = []
            for inst in info['instances']:
                target = int(self.label_index[inst['bbox_label']])
                if target >= 0:
                    inst['bbox_label'] = target
                    kept.append(inst)
            info['instances'] = kept
        elif 'seg_map_path' in info:
            # mmseg's LoadAnnotations rewrites pixels by ``label_map``; compose with the
            # source's own map (if it already renamed classes) so each raw id is mapped once.
            source_map = info.get('label_map') or {i: i for i in range(len(self.label_index))}
            info['label_map'] = {
                int(raw): (IGNORE_INDEX if src == IGNORE_INDEX or self.label_index[src] < 0
                           else int(self.label_index[src]))
                for raw, src in source_map.items()}
        return info

    def get_cat_ids(self, idx: int) -> List[int]:
        """Target labels of the boxes of detection sample ``idx`` (for class-balanced
        sampling wrappers)."""
        return [inst['bbox_label'] for inst in self.get_data_info(idx).get('instances', [])]

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        if self.test_mode:
            data = self.pipeline(self.get_data_info(idx))
            if data is None:
                raise RuntimeError(f'ClassMergeDataset: the test pipeline returned None for '
                                   f'sample {idx}')
            return data
        for _ in range(self.max_refetch + 1):
            data = self.pipeline(self.get_data_info(idx))
            if data is not None:
                return data
            idx = int(np.random.randint(0, len(self)))  # as mmengine's BaseDataset refetches
        raise RuntimeError(f'ClassMergeDataset: no valid sample after {self.max_refetch} '
                           'refetches; check the pipeline')

    def __repr__(self) -> str:
        size = len(self) if self._fully_initialized else '?'
        return (f'{self.__class__.__name__}(dataset={type(self.dataset).__name__}, '
                f'classes={self.classes}, num_samples={size})')


def _prefix_paths(data_prefix: Optional[dict]) -> List[str]:
    if not data_prefix:
        return []
    if isinstance(data_prefix, str):
        return [data_prefix]
    return [v for v in data_prefix.values() if isinstance(v, str) and v]
