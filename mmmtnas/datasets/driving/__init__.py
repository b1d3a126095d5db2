"""Driving datasets (detection + segmentation), their transforms and the toy set writer."""
from .check_seg_labels import CheckSegLabels, SegLabelError
from .class_merge_dataset import ClassMergeDataset, build_label_table
from .data_paths import DataRootNotFoundError, check_data_paths
from .kitti2d_dataset import Kitti2DDataset, KittiLabelFormatError, parse_kitti_line
from .toy_driving import make_toy_driving
from .toy_scene import draw_scene

__all__ = [
    'CheckSegLabels', 'SegLabelError', 'ClassMergeDataset', 'build_label_table',
    'DataRootNotFoundError', 'check_data_paths', 'Kitti2DDataset', 'KittiLabelFormatError',
    'parse_kitti_line', 'make_toy_driving', 'draw_scene'
]
