"""Real-data converters behind ``tools/dataset_converters/`` (Waymo, BDD100K, PASCAL_MT, NYUD_MT).

Not imported by :mod:`mmmtnas.datasets`: only the converter tools and their tests need them.
"""
from .bdd100k import BDD100K_DET_CLASSES, bdd100k_det_to_coco
from .dense_archives import ArchiveLayoutError, convert_nyud_mt, convert_pascal_mt
from .tfrecord import crc32c, masked_crc32c, read_tfrecord
from .waymo import WAYMO_CATEGORIES, convert_waymo_front, parse_frame, read_frames

__all__ = [
    'BDD100K_DET_CLASSES', 'bdd100k_det_to_coco', 'ArchiveLayoutError', 'convert_nyud_mt',
    'convert_pascal_mt', 'crc32c', 'masked_crc32c', 'read_tfrecord', 'WAYMO_CATEGORIES',
    'convert_waymo_front', 'parse_frame', 'read_frames'
]
