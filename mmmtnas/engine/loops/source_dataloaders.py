"""The one dataloader builder of the multi-source loops (search loops, alternating-task
training): named sources, each seeded from the runner, seen by the runner as one dataloader."""
import copy
from typing import Dict, Iterator, Mapping, Optional, Tuple

from torch.utils.data import DataLoader

from mmmtnas.utils import unwrap_model

SEED_STRIDE = 1000003  # > any worker count: workers of different sources never share a seed


class _SourceDatasets:
    """What ``runner.train_dataloader.dataset`` shows: ``metainfo`` keyed by source."""

    def __init__(self, loaders: Mapping[str, DataLoader]) -> None:
        self.datasets = {name: loader.dataset for name, loader in loaders.items()}

    @property
    def metainfo(self) -> dict:
        return {name: getattr(ds, 'metainfo', None) for name, ds in self.datasets.items()}

    def __len__(self) -> int:
        return sum(len(ds) for ds in self.datasets.values())


class SourceDataLoaders(Mapping):
    """Read-only mapping source name -> dataloader, with the two attributes MMEngine's runner
    and hooks read from a loop's dataloader: ``dataset.metainfo`` (checkpoint meta, visualiser)
    and ``len()`` (logger progress), here summed over the sources.

    Args:
        loaders (dict[str, DataLoader]): One built dataloader per source, in config order.
    """

    def __init__(self, loaders: Dict[str, DataLoader]) -> None:
        self._loaders = dict(loaders)
        self.dataset = _SourceDatasets(self._loaders)

    def __getitem__(self, name: str) -> DataLoader:
        return self._loaders[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaders)

    def __len__(self) -> int:
        return sum(len(loader) for loader in self._loaders.values())

    @property
    def names(self) -> Tuple[str, ...]:
        """Source names, in config order."""
        return tuple(self._loaders)


def _flatten(cfg: Mapping, what: str, prefix: str = '') -> Dict[str, object]:
    """``dict(det=dict(train=a, val=b))`` -> ``{'det.train': a, 'det.val': b}``."""
    out: Dict[str, object] = {}
    for key, value in cfg.items():
        name = f'{prefix}{key}'
        if value is None:
            continue  # a variant config switches a source off by setting it to None
        if isinstance(value, DataLoader) or (isinstance(value, Mapping) and (
                'dataset' in value or 'type' in value)):
            out[name] = value
        elif isinstance(value, Mapping):
            out.update(_flatten(value, what, f'{name}.'))
        else:
            raise TypeError(f'{what}.{name} must be a dataloader config (with `dataset`), a '
                            f'dict of them, or None; got {type(value).__name__}')
    return out


def _split_source(name: str, split_cfg: Mapping, flat: Mapping, what: str) -> dict:
    """The config of source ``name``: source ``split_cfg['of']``'s config with its dataset
    wrapped in :class:`mmmtnas.DatasetSplit` (the other keys of ``split_cfg``)."""
    split_cfg = dict(split_cfg)
    parent = split_cfg.pop('of', None)
    if parent not in flat or isinstance(flat[parent], DataLoader):
        raise KeyError(f'{what}: split source {name!r} must name a configured source with '
                       f"`of=`, one of {sorted(flat)}; got {parent!r}")
    cfg = copy.deepcopy(flat[parent])
    cfg['dataset'] = dict(type='mmmtnas.DatasetSplit', dataset=cfg['dataset'], **split_cfg)
    return cfg


def build_source_dataloaders(runner, cfg: Mapping, what: str,
                             splits: Optional[Mapping[str, Mapping]] = None
                             ) -> SourceDataLoaders:
    """Build one dataloader per named source of a (possibly nested) dict of configs.

    Nested keys are joined with dots (``dict(det=dict(train=..., val=...))`` gives ``det.train``
    and ``det.val``). ``splits`` declares more sources as parts of one: ``dict(arch=dict(
    of='train', split='val', fraction=0.8, seed=0))`` is source ``train``'s loader over the
    ``'val'`` part of a :class:`mmmtnas.DatasetSplit` of its dataset.

    Each source is built by the runner with its own seed (the runner's plus a large multiple of
    its index, so equal-sized sources are not shuffled in step and no two sources' workers,
    seeded ``seed + worker_id``, share an augmentation stream), and the runner's
    ``diff_rank_seed``.
    Batch order then depends only on ``(seed, epoch)``, which is what exact resume relies on
    (:class:`~mmmtnas.engine.loops.EpochIterator`).

    Args:
        runner (Runner): Builds the dataloaders.
        cfg (Mapping): Source name -> dataloader config / DataLoader / None / nested dict.
        what (str): Name used in error messages, e.g. ``'train_dataloader'``.
        splits (Mapping[str, Mapping], optional): Split sources (see above). Defaults to None.

    Returns:
        SourceDataLoaders: The built loaders.
    """
    if not isinstance(cfg, Mapping) or 'dataset' in cfg or 'type' in cfg:
        raise TypeError(f'{what} must be a dict of named sources, e.g. dict(train=..., val=...)'
                        f' or dict(det=..., seg=...), got {type(cfg).__name__} with keys '
                        f'{list(cfg) if isinstance(cfg, Mapping) else "-"}')
    flat = _flatten(cfg, what)
    for name, split_cfg in (splits or {}).items():
        if name in flat:
            raise KeyError(f'{what}: split source {name!r} is also a configured source')
        flat[name] = _split_source(name, split_cfg, flat, what)
    if not flat:
        raise ValueError(f'{what} has no data source (all entries are None)')
    seed = getattr(runner, 'seed', None)
    diff_rank_seed = getattr(runner, '_randomness_cfg', {}).get('diff_rank_seed', False)
    loaders = {}
    for index, (name, loader) in enumerate(flat.items()):
        loaders[name] = loader if isinstance(loader, DataLoader) else runner.build_dataloader(
            loader, seed=None if seed is None else seed + SEED_STRIDE * index,
            diff_rank_seed=diff_rank_seed)
    return SourceDataLoaders(loaders)


def check_model_tasks(model, loaders: SourceDataLoaders, what: str) -> None:
    """Check every task dataloader against the model: the model must have the task's head and
    the head's ``num_classes`` must match the dataset's classes.

    Models without ``check_dataset_meta`` (not multi-task) are not checked.

    Raises:
        ValueError: A dataloader task the model has no head for (one line).
        ValueError: A head whose ``num_classes`` disagrees with its dataset (one line).
    """
    model = unwrap_model(model)
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
