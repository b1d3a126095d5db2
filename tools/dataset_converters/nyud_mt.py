"""NYUD_MT.tgz (ASTMT's or MTI-Net's NYUD-v2 multi-task archive) -> data/NYUD_MT, checked.

Usage::

    python tools/dataset_converters/nyud_mt.py NYUD_MT.tgz --out data/NYUD_MT

Writes the layout ``mmmtnas.NYUDMTDataset`` reads (MTI-Net's: ``.png`` segmentation, ``.npy``
depth, normals and edges); ASTMT's ``.mat`` / ``.jpg`` / ``.png`` members are decoded into it.
Checks that every image of ``gt_sets/{train,val}.txt`` has every file; a missing one stops with
the archive members it lacks. Details: :mod:`mmmtnas.datasets.converters.dense_archives`.
"""
from mmmtnas.datasets.converters.dense_archives import archive_cli, convert_nyud_mt
from mmmtnas.utils.cli import run_cli


def main(argv=None) -> dict:
    return archive_cli(convert_nyud_mt, 'NYUD_MT.tgz', 'data/NYUD_MT', __doc__.split('\n')[0], argv)


if __name__ == '__main__':
    run_cli(main)
