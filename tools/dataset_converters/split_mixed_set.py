"""Re-divide the mixed set as the paper does (§4.1): seeded train / val / test split files.

Usage::

    python tools/dataset_converters/split_mixed_set.py configs/_base_/datasets/driving_mixed.py \
        [--seed 0] [--det 120000 2000 10000] [--seg 10000 500 1500]

For each task the pool is every image of the config's train pool (both folders of both
sources: ``train_dataloader.<task>.dataset.dataset``); it is divided at random (the pool sorted,
then a seeded permutation) into train / val / test of the given sizes (default: the config's
``split_sizes``), written as ``<data_root><split_dir><task>_<split>.txt``, one image path
relative to ``data_root`` a line. The config's loaders read these files
(``mmmtnas.SplitFileDataset``); equal seeds and data give identical files.
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.datasets.split_files import (SPLIT_NAMES, divide, pool_paths,
                                          write_split_files)
from mmmtnas.registry import DATASETS
from mmmtnas.utils.cli import run_cli

TASKS = ('det', 'seg')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='dataset config (driving_mixed.py, driving_toy.py)')
    parser.add_argument('--seed', type=int, default=0, help='seed of the division')
    for task in TASKS:
        parser.add_argument(f'--{task}', type=int, nargs=3, metavar=('TRAIN', 'VAL', 'TEST'),
                            help=f'{task} images per split (default: the config\'s split_sizes)')
    parser.add_argument('--out', help='folder for the files (default: <data_root><split_dir>)')
    return parser.parse_args(argv)


def split_mixed_set(cfg: Config, seed: int = 0, sizes: dict = None, out: str = None) -> dict:
    """Divide each task's pool of ``cfg`` and write the split files.

    Args:
        cfg (Config): A dataset config with ``data_root``, ``split_dir``, ``split_sizes`` and
            ``train_dataloader.<task>.dataset`` a ``mmmtnas.SplitFileDataset``.
        seed (int): Seed of the division. Defaults to 0.
        sizes (dict, optional): ``task -> dict(train=, val=, test=)``, overriding the config's.
        out (str, optional): Folder for the files. Defaults to ``data_root + split_dir``.

    Returns:
        dict: ``task -> split -> number of images``, and ``files``.
    """
    sizes = dict(cfg.split_sizes, **(sizes or {}))
    out = out or osp.join(cfg.data_root, cfg.split_dir)
    report = dict(files=[])
    for task in TASKS:
        pool = DATASETS.build(cfg.train_dataloader[task].dataset.dataset)
        parts = divide(pool_paths(pool, cfg.data_root), sizes[task], seed=seed,
                       where=f'{cfg.filename}: {task} pool under {cfg.data_root}')
        report['files'] += write_split_files(out, task, parts)
        report[task] = {split: len(paths) for split, paths in parts.items()}
    return report


def main(argv=None) -> None:
    args = parse_args(argv)
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(args.config)
    sizes = {t: dict(zip(SPLIT_NAMES, getattr(args, t))) for t in TASKS if getattr(args, t)}
    report = split_mixed_set(cfg, args.seed, sizes, args.out)
    counts = '; '.join(f'{t}: ' + ', '.join(f'{s} {n}' for s, n in report[t].items())
                       for t in TASKS)
    print(f'wrote {len(report["files"])} split files to '
          f'{osp.dirname(report["files"][0])} (seed {args.seed}; {counts})')


if __name__ == '__main__':
    run_cli(main)
