"""The mixed set's re-division (paper §4.1): seeded split files and the dataset that reads one.

The paper pools its sources and divides them at random: detection 120k / 2k / 10k images
(train / val / test), segmentation 10k / 500 / 1.5k. :func:`divide` makes such a division of a
pool of image paths, :func:`write_split_files` writes it as one text file per task and split
(``<task>_<split>.txt``, one image path relative to the data root per line) and
:class:`SplitFileDataset` keeps the samples of a dataset (the pool) that a split file lists.
``tools/dataset_converters/split_mixed_set.py`` writes the files for a dataset config.
"""
import os
import os.path as osp
from typing import Dict, List, Mapping, Sequence, Union

import numpy as np
from torch.utils.data import Dataset

from mmmtnas.registry import DATASETS
from .indexed_subset import IndexedSubset

SPLIT_NAMES = ('train', 'val', 'test')
TOOL_HINT = 'write it with tools/dataset_converters/split_mixed_set.py (docs/data_preparation.md)'


class SplitFileError(ValueError):
    """A split file is missing, malformed, or lists an image its dataset does not hold."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ''


def divide(paths: Sequence[str], sizes: Mapping[str, int], seed: int = 0,
           where: str = 'divide') -> Dict[str, List[str]]:
    """Divide a pool of image paths at random into disjoint splits of the given sizes.

    The pool is sorted first, so the division depends only on the set of paths and the seed
    (not on the order the sources were listed in).

    Args:
        paths (Sequence[str]): The pool (distinct paths).
        sizes (Mapping[str, int]): Images per split, e.g. ``dict(train=120000, val=2000,
            test=10000)``; their sum may not exceed the pool.
        seed (int): Seed of the permutation. Defaults to 0.
        where (str): What is divided, for messages. Defaults to 'divide'.

    Returns:
        dict[str, list[str]]: Each split's paths, sorted.
    """
    pool = sorted(paths)
    if len(set(pool)) != len(pool):
        raise ValueError(f'{where}: the pool lists some image more than once')
    bad = {k: v for k, v in sizes.items() if int(v) != v or v < 1}
    if bad:
        raise ValueError(f'{where}: split sizes must be positive integers, got {bad}')
    if sum(sizes.values()) > len(pool):
        raise ValueError(f'{where}: the splits {dict(sizes)} need {sum(sizes.values())} images, '
                         f'the pool holds {len(pool)}')
    order = np.random.RandomState(seed).permutation(len(pool))
    parts, start = {}, 0
    for name, size in sizes.items():
        parts[name] = sorted(pool[i] for i in order[start:start + int(size)])
        start += int(size)
    return parts


def split_file_name(task: str, split: str) -> str:
    """``<task>_<split>.txt``, e.g. ``det_train.txt``."""
    return f'{task}_{split}.txt'


def write_split_files(out_dir: str, task: str, parts: Mapping[str, Sequence[str]]) -> List[str]:
    """Write one file per split (``<out_dir>/<task>_<split>.txt``, one path a line).

    Returns:
        list[str]: The files written.
    """
    os.makedirs(out_dir, exist_ok=True)
    files = []
    for split, paths in parts.items():
        path = osp.join(out_dir, split_file_name(task, split))
        with open(path, 'w') as f:
            f.write(''.join(f'{p}\n' for p in paths))
        files.append(path)
    return files


def read_split_file(path: str) -> List[str]:
    """The image paths a split file lists, checked: one relative path a line, no repeats.

    Raises:
        SplitFileError: One line naming the file (and line) and what is expected.
    """
    if not osp.isfile(path):
        raise SplitFileError(f'split file {path} does not exist; {TOOL_HINT}')
    with open(path) as f:
        lines = f.read().splitlines()
    seen = set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line != line.strip() or osp.isabs(line):
            raise SplitFileError(f'split file {path}, line {number}: expected one image path '
                                 f'relative to the data root, got {line!r}; {TOOL_HINT}')
        if line in seen:
            raise SplitFileError(f'split file {path}, line {number}: {line!r} is listed twice; '
                                 f'{TOOL_HINT}')
        seen.add(line)
    if not lines:
        raise SplitFileError(f'split file {path} lists no image; {TOOL_HINT}')
    return lines


def pool_paths(dataset: Dataset, data_root: str) -> List[str]:
    """Every sample's image path relative to ``data_root``, in the dataset's order."""
    return [osp.relpath(dataset.get_data_info(i)['img_path'], data_root)
            for i in range(len(dataset))]


@DATASETS.register_module()
class SplitFileDataset(IndexedSubset):
    """The samples of a dataset (a pool of sources) that a split file lists, in its order.

    Args:
        dataset (dict | Dataset): The pool, or its config; its samples' ``img_path`` lie
            under ``data_root``.
        split_file (str): The split file, relative to ``data_root`` unless absolute.
        data_root (str): The folder the listed paths are relative to.
        lazy_init (bool): Defer reading the pool and the file until ``full_init``.
            Defaults to False.
    """

    def __init__(self, dataset: Union[dict, Dataset], split_file: str, data_root: str,
                 lazy_init: bool = False) -> None:
        self.data_root = data_root
        self.split_file = split_file if osp.isabs(split_file) else osp.join(data_root, split_file)
        super().__init__(dataset, lazy_init)

    def select_indices(self) -> List[int]:
        """Read the split file and find its images in the pool."""
        names = read_split_file(self.split_file)  # before the pool: the cheaper check first
        self.init_wrapped()
        index = {p: i for i, p in enumerate(pool_paths(self.dataset, self.data_root))}
        missing = [n for n in names if n not in index]
        if missing:
            raise SplitFileError(
                f'split file {self.split_file}: {len(missing)} of its {len(names)} images are '
                f'not in the dataset under {self.data_root} (first: {missing[0]!r}); '
                f'{TOOL_HINT} for this data')
        return [index[n] for n in names]
