"""A dataset wrapper that shows the samples of another dataset at chosen indices."""
import copy
from typing import List, Union

from mmengine.dataset import BaseDataset, force_full_init
from torch.utils.data import Dataset

from mmmtnas.registry import DATASETS


class IndexedSubset(Dataset):
    """The samples of ``dataset`` at the indices :meth:`select_indices` chooses, in its order.

    Subclasses set their own attributes, then call ``super().__init__``.

    Args:
        dataset (dict | Dataset): The wrapped dataset, or its config.
        lazy_init (bool): Defer the wrapped dataset's annotations and the indices until
            ``full_init``. Defaults to False.
    """

    def __init__(self, dataset: Union[dict, Dataset], lazy_init: bool = False) -> None:
        self.dataset = DATASETS.build(dataset) if isinstance(dataset, dict) else dataset
        self.indices: List[int] = []
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """dict: The wrapped dataset's meta information (a copy)."""
        return copy.deepcopy(getattr(self.dataset, 'metainfo', {}))

    def init_wrapped(self) -> None:
        """Build the wrapped dataset's annotations (for :meth:`select_indices`)."""
        if isinstance(self.dataset, BaseDataset):
            self.dataset.full_init()

    def select_indices(self) -> List[int]:
        """The wrapped dataset's indices this subset shows (calls :meth:`init_wrapped`)."""
        raise NotImplementedError

    def full_init(self) -> None:
        """Choose the indices (once)."""
        if self._fully_initialized:
            return
        self.indices = self.select_indices()
        self._fully_initialized = True

    @force_full_init
    def get_data_info(self, idx: int) -> dict:
        """Annotation of the ``idx``-th sample of this subset."""
        return self.dataset.get_data_info(self.indices[idx])

    @force_full_init
    def __len__(self) -> int:
        return len(self.indices)

    @force_full_init
    def __getitem__(self, idx: int):
        return self.dataset[self.indices[idx]]
