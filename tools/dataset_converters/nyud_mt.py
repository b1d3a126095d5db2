"""NYUD_MT.tgz (ASTMT's or MTI-Net's NYUD-v2 multi-task archive) -> data/NYUD_MT, checked.

Usage::

    python tools/dataset_converters/nyud_mt.py NYUD_MT.tgz --out data/NYUD_MT

Writes the layout ``mmmtnas.NYUDMTDataset`` reads (MTI-Net's: ``.png`` segmentation, ``.npy``
depth, normals and edges); ASTMT's ``.mat`` / ``.jpg`` / ``.png`` members are decoded into it.
Checks that every image of ``gt_sets/{train,val}.txt`` has every file; a missing one stops with
the archive members it lacks. Details: :mod:`mmmtnas.datasets.converters.dense_archives`.
"""
import argparse

from mmmtnas.datasets.converters.dense_archives import convert_nyud_mt
from mmmtnas.utils.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('archive', help='NYUD_MT.tgz')
    parser.add_argument('--out', default='data/NYUD_MT', help='data root to write')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    report = convert_nyud_mt(args.archive, args.out)
    print(f"{args.out}: train {report['train']} / val {report['val']} images, all files "
          f"present ({report['written']} written, {report['skipped']} other members skipped)")
    return report


if __name__ == '__main__':
    run_cli(main)
