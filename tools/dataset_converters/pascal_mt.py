"""PASCAL_MT.tgz (ASTMT's PASCAL-Context multi-task archive) -> data/PASCAL_MT, checked.

Usage::

    python tools/dataset_converters/pascal_mt.py PASCAL_MT.tgz --out data/PASCAL_MT

Writes the members ``mmmtnas.PascalContextMTDataset`` reads (images, the five tasks' labels,
``ImageSets/Context/{train,val}.txt``) and checks that every listed image has every file; a
missing one stops with the archive members it lacks. Details:
:mod:`mmmtnas.datasets.converters.dense_archives`.
"""
from mmmtnas.datasets.converters.dense_archives import archive_cli, convert_pascal_mt
from mmmtnas.utils.cli import run_cli


def main(argv=None) -> dict:
    return archive_cli(convert_pascal_mt, 'PASCAL_MT.tgz', 'data/PASCAL_MT',
                       __doc__.split('\n')[0], argv)


if __name__ == '__main__':
    run_cli(main)
