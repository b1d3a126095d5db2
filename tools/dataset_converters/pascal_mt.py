"""PASCAL_MT.tgz (ASTMT's PASCAL-Context multi-task archive) -> data/PASCAL_MT, checked.

Usage::

    python tools/dataset_converters/pascal_mt.py PASCAL_MT.tgz --out data/PASCAL_MT

Writes the members ``mmmtnas.PascalContextMTDataset`` reads (images, the five tasks' labels,
``ImageSets/Context/{train,val}.txt``) and checks that every listed image has every file; a
missing one stops with the archive members it lacks. Details:
:mod:`mmmtnas.datasets.converters.dense_archives`.
"""
import argparse

from mmmtnas.datasets.converters.dense_archives import convert_pascal_mt
from mmmtnas.utils.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('archive', help='PASCAL_MT.tgz')
    parser.add_argument('--out', default='data/PASCAL_MT', help='data root to write')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    report = convert_pascal_mt(args.archive, args.out)
    print(f"{args.out}: train {report['train']} / val {report['val']} images, all files "
          f"present ({report['written']} written, {report['skipped']} other members skipped)")
    return report


if __name__ == '__main__':
    run_cli(main)
