"""Driving datasets (detection + segmentation) and their transforms."""
from .check_seg_labels import CheckSegLabels, SegLabelError
from .class_merge_dataset import ClassMergeDataset, build_label_table
from .data_paths import DataRootNotFoundError, check_data_paths
from .kitti2d_dataset import Kitti2DDataset, KittiLabelFormatError, parse_kitti_line
from .unknown_categories import UnknownCategoryError, check_unknown_categories

__all__ = [
    'CheckSegLabels', 'SegLabelError', 'ClassMergeDataset', 'build_label_table',
    'DataRootNotFoundError', 'check_data_paths', 'Kitti2DDataset', 'KittiLabelFormatError',
    'parse_kitti_line', 'UnknownCategoryError', 'check_unknown_categories'
]
