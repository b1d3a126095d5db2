"""One check for "is the data there", shared by every driving dataset of mmmtnas.

A missing data root should stop a run when the dataset is built, with one line that names the
path and says how to get data, rather than a traceback from deep inside a file lister.
"""
import os.path as osp
from typing import Iterable, Optional, Union

DOCS_HINT = ('lay the data out as in docs/data_preparation.md, or run `make demo` (it writes the '
             'toy set with tools/dataset_converters/make_toy_driving.py)')


class DataRootNotFoundError(FileNotFoundError):
    """A dataset's root folder, annotation file or image/label folder does not exist."""

    def __str__(self) -> str:  # FileNotFoundError would prefix '[Errno ...]' otherwise
        return self.args[0] if self.args else ''


def _join(root: Optional[str], path: str) -> str:
    return path if (not root or osp.isabs(path) or '://' in path) else osp.join(root, path)


def check_data_paths(owner: str, data_root: Optional[str] = None,
                     paths: Iterable[Union[str, None]] = ()) -> None:
    """Raise a one-line :class:`DataRootNotFoundError` if the data root or a path is missing.

    Remote paths (``s3://`` and other URIs) are not checked.

    Args:
        owner (str): Who needs the data (dataset type), put at the start of the message.
        data_root (str, optional): Root folder; checked first, and relative ``paths`` are joined
            to it.
        paths (Iterable[str]): Annotation files or folders the dataset reads. Empty entries are
            skipped.

    Raises:
        DataRootNotFoundError: Naming the first missing path.
    """
    if data_root and '://' not in data_root and not osp.isdir(data_root):
        raise DataRootNotFoundError(
            f"{owner}: data root '{data_root}' does not exist; {DOCS_HINT}")
    for path in paths:
        if not path:
            continue
        full = _join(data_root, path)
        if '://' not in full and not osp.exists(full):
            raise DataRootNotFoundError(
                f"{owner}: '{full}' does not exist under data root '{data_root}'; {DOCS_HINT}")
