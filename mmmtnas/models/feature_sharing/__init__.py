"""Feature-sharing multi-task baselines of BMTAS Tables 1-2 (Cross-Stitch, NDDR-CNN, MTAN) on
the dense encoders, heads and losses."""
from .columns import TaskColumns, single_task_state
from .cross_stitch import CrossStitchNetwork, CrossStitchUnit
from .mtan import AttentionMask, MTANEncoder, RefineBlock
from .nddr_cnn import NDDRLayer, NDDRNetwork
from .single_task_init import ColumnMultiTaskModel

__all__ = [
    'AttentionMask', 'ColumnMultiTaskModel', 'CrossStitchNetwork', 'CrossStitchUnit',
    'MTANEncoder', 'NDDRLayer', 'NDDRNetwork', 'RefineBlock', 'TaskColumns',
    'single_task_state'
]
