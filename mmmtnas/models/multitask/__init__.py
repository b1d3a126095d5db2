from .det_seg_data_preprocessor import DetSegDataPreprocessor
from .det_seg_multitask_model import DetSegMultiTaskModel
from .ssd_head import SSDHead
from .triplenet import TripleNet
from .triplenet_decoder import TripleNetDecoder
from .upsample_fcn_head import UpsampleFCNHead

__all__ = [
    'DetSegDataPreprocessor', 'DetSegMultiTaskModel', 'SSDHead', 'TripleNet', 'TripleNetDecoder',
    'UpsampleFCNHead'
]
