from .architecture_export_hook import ArchitectureExportHook  # noqa: F401
from .architecture_stable_stop_hook import ArchitectureStableStopHook  # noqa: F401
from .gumbel_temperature_hook import GumbelTemperatureHook  # noqa: F401
from .random_search_hook import RandomSearchHook  # noqa: F401
from .skip_connect_stop_hook import SkipConnectStopHook  # noqa: F401
from .finite_loss_hook import FiniteLossHook, NonFiniteLossError  # noqa: F401
from .multi_task_visualization_hook import MultiTaskVisualizationHook  # noqa: F401
from .architecture_weights_logger_hook import ArchitectureWeightsLoggerHook  # noqa: F401
from .branching_hooks import BMNBranchingHook, FAFSBranchingHook, RandomBranchingHook  # noqa: F401
