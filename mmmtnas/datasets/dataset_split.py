"""Split one dataset into a DARTS 'search' part (weights) and a 'val' part (architecture)."""
from typing import Dict, List, Mapping, Optional, Sequence, Union

import numpy as np
from torch.utils.data import Dataset

from mmmtnas.registry import DATASETS
from .indexed_subset import IndexedSubset

SPLITS = ('search', 'val')


@DATASETS.register_module()
class DatasetSplit(IndexedSubset):
    """One side of a deterministic two-way split of a dataset.

    Build it twice with the same arguments and ``split='search'`` / ``split='val'`` to get two
    disjoint datasets that together cover the wrapped one (DARTS trains weights on the first
    and architecture parameters on the second).

    Args:
        dataset (dict | Dataset): The dataset to split, or its config.
        split (str): ``'search'`` or ``'val'``.
        fraction (float): Share of the samples in the ``'search'`` part, in (0, 1); ignored when
            ``indices`` is given. Defaults to 0.5.
        indices (Sequence[int] | dict, optional): Explicit split: the indices of the
            ``'search'`` part (``'val'`` gets the rest), or ``dict(search=[...], val=[...])``
            (disjoint; samples in neither are unused). Defaults to None.
        seed (int, optional): Seed of the permutation applied before cutting by ``fraction``;
            None cuts the dataset in its own order (first part = 'search'). Defaults to 0.
        lazy_init (bool): Defer building the wrapped dataset's annotations and the indices
            until ``full_init``. Defaults to False.
    """

    def __init__(self,
                 dataset: Union[dict, Dataset],
                 split: str = 'search',
                 fraction: float = 0.5,
                 indices: Optional[Union[Sequence[int], Mapping[str, Sequence[int]]]] = None,
                 seed: Optional[int] = 0,
                 lazy_init: bool = False) -> None:
        if split not in SPLITS:
            raise ValueError(f"DatasetSplit: split must be one of {SPLITS}, got {split!r}")
        if indices is None and not 0. < fraction < 1.:
            raise ValueError(f'DatasetSplit: fraction must lie in (0, 1), got {fraction}')
        if isinstance(indices, Mapping) and set(indices) != set(SPLITS):
            raise KeyError(f'DatasetSplit: indices as a dict needs exactly the keys {SPLITS}, '
                           f'got {sorted(indices)}')
        self.split = split
        self.fraction = fraction
        self._given_indices = indices
        self.seed = seed
        super().__init__(dataset, lazy_init)

    def select_indices(self) -> List[int]:
        """Initialise the wrapped dataset and compute this split's indices."""
        self.init_wrapped()
        return self._split_indices(len(self.dataset))[self.split]

    def _split_indices(self, num: int) -> Dict[str, List[int]]:
        given = self._given_indices
        if given is None:
            order = (np.arange(num) if self.seed is None else
                     np.random.RandomState(self.seed).permutation(num))
            cut = int(round(self.fraction * num))
            parts = dict(search=order[:cut].tolist(), val=order[cut:].tolist())
        elif isinstance(given, Mapping):
            parts = {k: [int(i) for i in given[k]] for k in SPLITS}
            overlap = sorted(set(parts['search']) & set(parts['val']))
            if overlap:
                raise ValueError(f'DatasetSplit: indices {overlap[:5]} are in both splits')
        else:
            search = [int(i) for i in given]
            chosen = set(search)
            parts = dict(search=search, val=[i for i in range(num) if i not in chosen])
        for name, part in parts.items():
            bad = [i for i in part if not 0 <= i < num]
            if bad:
                raise ValueError(f'DatasetSplit: {name} indices {bad[:5]} out of range for a '
                                 f'dataset of {num} samples')
            if len(set(part)) != len(part):
                raise ValueError(f'DatasetSplit: {name} indices contain duplicates')
            if not part:
                raise ValueError(f'DatasetSplit: the {name!r} split of a dataset of {num} '
                                 f'samples is empty (fraction={self.fraction}, '
                                 f'indices={given!r})')
        return parts
