from .bilevel_search_loop import BilevelSearchLoop  # noqa: F401
from .alternating_task_loop import AlternatingTaskTrainLoop, task_schedule  # noqa: F401
from .multi_task_val_loop import MultiTaskTestLoop, MultiTaskValLoop  # noqa: F401
from .bmtas_search_loop import BMTASSearchLoop  # noqa: F401
from .alternating_task_search_loop import AlternatingTaskSearchLoop  # noqa: F401
from .epoch_iterator import EpochIterator  # noqa: F401
from .resumable_iter_loop import ResumableIterLoop  # noqa: F401
