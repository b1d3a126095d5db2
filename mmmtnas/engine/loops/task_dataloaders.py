"""Per-task dataloaders held by one multi-task loop, seen by the runner as one dataloader."""
from typing import Dict, Iterator, Mapping, Optional, Tuple

from mmengine.model import is_model_wrapper
from torch.utils.data import DataLoader


class _TaskDatasets:
    """What ``runner.train_dataloader.dataset`` shows: ``metainfo`` keyed by task."""

    def __init__(self, loaders: Mapping[str, DataLoader]) -> None:
        self.datasets = {task: loader.dataset for task, loader in loaders.items()}

    @property
    def metainfo(self) -> dict:
        return {task: getattr(ds, 'metainfo', None) for task, ds in self.datasets.items()}

    def __len__(self) -> int:
        return sum(len(ds) for ds in self.datasets.values())


class TaskDataLoaders(Mapping):
    """Read-only mapping task -> dataloader, with the two attributes MMEngine's runner and hooks
    read from a loop's dataloader: ``dataset.metainfo`` (checkpoint meta, visualiser) and
    ``len()`` (logger progress), here summed over the tasks.

    Args:
        loaders (dict[str, DataLoader]): One built dataloader per task, in schedule order.
    """

    def __init__(self, loaders: Dict[str, DataLoader]) -> None:
        self._loaders = dict(loaders)
        self.dataset = _TaskDatasets(self._loaders)

    def __getitem__(self, task: str) -> DataLoader:
        return self._loaders[task]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return sum(len(loader) for loader in self._loaders.values())

    @property
    def tasks(self) -> Tuple[str, ...]:
        return tuple(self._loaders)


def build_task_dataloaders(runner, dataloader: Mapping, what: str) -> TaskDataLoaders:
    """Build one dataloader per task from ``dict(task=cfg or DataLoader or None)``.

    Tasks whose entry is None are left out (a single-task config inherits the two-task base
    and sets the other task to None).

    Args:
        runner (Runner): Builds the dataloaders (seeded like any runner dataloader).
        dataloader (Mapping): Task name -> dataloader config / object / None.
        what (str): Name used in error messages, e.g. 'train_dataloader'.

    Returns:
        TaskDataLoaders: The built loaders.
    """
    if not isinstance(dataloader, Mapping) or 'type' in dataloader or 'dataset' in dataloader:
        raise TypeError(f'{what} must be a dict keyed by task, e.g. dict(det=..., seg=...), '
                        f'got {type(dataloader).__name__} with keys '
                        f'{list(dataloader) if isinstance(dataloader, Mapping) else "-"}')
    seed = getattr(runner, 'seed', None)
    diff_rank_seed = getattr(runner, '_randomness_cfg', {}).get('diff_rank_seed', False)
    loaders = {}
    for task, cfg in dataloader.items():
        if cfg is None:
            continue
        loaders[task] = cfg if isinstance(cfg, DataLoader) else runner.build_dataloader(
            cfg, seed=seed, diff_rank_seed=diff_rank_seed)
    if not loaders:
        raise ValueError(f'{what} has no task dataloader (all entries are None)')
    return TaskDataLoaders(loaders)


def check_model_tasks(model, loaders: TaskDataLoaders, what: str) -> None:
    """Check every task dataloader against the model: the model must have the task's head and
    the head's ``num_classes`` must match the dataset's classes.

    Models without ``check_dataset_meta`` (not multi-task) are not checked.

    Raises:
        ValueError: A dataloader task the model has no head for (one line).
        ValueError: A head whose ``num_classes`` disagrees with its dataset (one line).
    """
    if is_model_wrapper(model):
        model = model.module
    check = getattr(model, 'check_dataset_meta', None)
    if check is None:
        return
    tasks = tuple(getattr(model, 'tasks', ()))
    for task in loaders:
        if task not in tasks:
            raise ValueError(f'{what} has task {task!r} but the model has heads only for '
                             f'{list(tasks)}')
        dataset = loaders[task].dataset
        check(task, getattr(dataset, 'metainfo', None), f'{what}.{task} ({type(dataset).__name__})')


def metainfo_of(loaders: TaskDataLoaders, task: str) -> Optional[dict]:
    """``metainfo`` of one task's dataset (None when it has none)."""
    return getattr(loaders[task].dataset, 'metainfo', None)
