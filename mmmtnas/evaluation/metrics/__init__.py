from .delta_m import MultiTaskDeltaEvaluator, multi_task_delta  # noqa: F401
from .edge_ods_metric import EdgeODSMetric  # noqa: F401
from .normals_metric import NormalsMetric  # noqa: F401
from .saliency_metric import SaliencyMetric  # noqa: F401
from .dense_depth_metric import DenseDepthMetric  # noqa: F401
from .dense_iou_metric import DenseIoUMetric  # noqa: F401
