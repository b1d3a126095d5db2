from .alternating_task_loop import AlternatingTaskTrainLoop, task_schedule  # noqa: F401
from .epoch_iterator import EpochIterator  # noqa: F401
from .iter_train_loop import IterTrainLoop  # noqa: F401
from .joint_task_loop import JointTaskTrainLoop  # noqa: F401
from .multi_task_val_loop import MultiTaskTestLoop, MultiTaskValLoop  # noqa: F401
from .resumable_iter_loop import ResumableIterLoop  # noqa: F401
from .search_loop import SearchLoop  # noqa: F401
from .search_schedules import (BilevelSchedule, BMTASPhaseSchedule,  # noqa: F401
                               IterationPlan, SearchSchedule, TaskRoundRobinSchedule)
from .source_dataloaders import SourceDataLoaders, build_source_dataloaders  # noqa: F401
