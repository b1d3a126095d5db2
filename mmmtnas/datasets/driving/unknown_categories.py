"""One rule for annotations whose category is outside a dataset's class table.

Such annotations never reach the model. Losing them silently hides a wrong table (a category
renamed in a new release of the labels, a converter that writes one more class), so every
driving loader that maps categories applies the same rule: they are an error naming the file
and the categories, unless the config lists those categories in the loader's explicit drop set;
then they are dropped and counted in the log, one warning line per loader.
"""
import logging
from typing import Collection, Dict, Hashable, Mapping

from mmengine.logging import print_log


class UnknownCategoryError(ValueError):
    """Annotations have categories that are neither in the class table nor in the drop set."""


def check_unknown_categories(owner: str, source: str, counts: Mapping[Hashable, int],
                             drop: Collection, drop_key: str, what: str = 'category') -> None:
    """Apply the rule to the annotations a loader found outside its class table.

    Args:
        owner (str): The loader, at the start of the messages (e.g. ``'Kitti2DDataset'``).
        source (str): The annotation file (or folder) the counts come from.
        counts (Mapping): Number of annotations per category outside the class table.
        drop (Collection): Categories the config allows to drop.
        drop_key (str): Name of the config argument holding ``drop``, for the message.
        what (str): What a category is called in this format (``'category id'``,
            ``'type'``).

    Raises:
        UnknownCategoryError: Some annotations have a category outside ``drop``; the one-line
            message names the file, the categories and their annotation counts.
    """
    unknown = {k: n for k, n in counts.items() if k not in drop and n}
    if unknown:
        raise UnknownCategoryError(
            f'{owner}: {source} has {sum(unknown.values())} annotations of {what}(s) that '
            f'are not in the class table: {_listing(unknown)}; map them to a class, or list '
            f'them in {drop_key} to drop them')
    dropped = {k: n for k, n in counts.items() if n}
    if dropped:
        print_log(f'{owner}: dropped {sum(dropped.values())} annotations of {source} whose '
                  f'{what} is in {drop_key}: {_listing(dropped)}', logger='current',
                  level=logging.WARNING)


def _listing(counts: Dict[Hashable, int]) -> str:
    return ', '.join(f'{k!r}: {n}' for k, n in sorted(counts.items()))
