from .det_seg_data_preprocessor import DetSegDataPreprocessor
from .det_seg_multitask_model import DetSegMultiTaskModel
from .ssd_head import SSDHead
from .upsample_fcn_head import UpsampleFCNHead

__all__ = ['DetSegDataPreprocessor', 'DetSegMultiTaskModel', 'SSDHead', 'UpsampleFCNHead']
