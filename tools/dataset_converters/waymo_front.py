"""Waymo Open Dataset front camera -> JPEG + COCO JSON, the layout the mixed-set config reads.

Usage::

    python tools/dataset_converters/waymo_front.py <segments> --split train --out data/waymo \
        [--backend builtin|waymo] [--every N] [--no-crc]

``<segments>``: segment TFRecord files or folders of them (``*.tfrecord``, sorted). Writes
``<out>/images/<split>/<context>_<timestamp>_FRONT.jpg`` and
``<out>/annotations/front_<split>.json`` (category ids = Waymo's ``Label.Type``). The default
backend reads the TFRecords and the few ``Frame`` fields it needs in pure Python; ``--backend
waymo`` reads them with the ``waymo-open-dataset`` package instead (same output). Details:
:mod:`mmmtnas.datasets.converters.waymo` and docs/data_preparation.md.
"""
import argparse
import glob
import os.path as osp
from typing import List

from mmmtnas.datasets.converters.waymo import BACKENDS, convert_waymo_front
from mmmtnas.utils.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('segments', nargs='+', help='segment .tfrecord files or folders')
    parser.add_argument('--split', required=True, help='output split name (train, val)')
    parser.add_argument('--out', default='data/waymo', help='output root (default: data/waymo)')
    parser.add_argument('--backend', choices=BACKENDS, default='builtin',
                        help='builtin: pure-Python reader (default); waymo: the '
                             'waymo-open-dataset package')
    parser.add_argument('--every', type=int, default=1,
                        help='keep every N-th frame of each segment (default: all)')
    parser.add_argument('--no-crc', action='store_true',
                        help='skip the record data CRC check (builtin backend)')
    return parser.parse_args(argv)


def segment_files(paths: List[str]) -> List[str]:
    """Files as given, folders expanded to their sorted ``*.tfrecord`` files."""
    files = []
    for path in paths:
        if osp.isdir(path):
            found = sorted(glob.glob(osp.join(path, '*.tfrecord')))
            if not found:
                raise FileNotFoundError(f'no *.tfrecord files in folder {path}')
            files += found
        elif osp.isfile(path):
            files.append(path)
        else:
            raise FileNotFoundError(f'Waymo segment file or folder not found: {path}')
    return files


def main(argv=None) -> dict:
    args = parse_args(argv)
    report = convert_waymo_front(segment_files(args.segments), args.out, args.split,
                                 backend=args.backend, every=args.every,
                                 check_crc=not args.no_crc)
    boxes = ', '.join(f'{k} {v}' for k, v in sorted(report['boxes'].items())) or 'none'
    print(f"{report['segments']} segments, {report['frames']} frames -> {report['images']} "
          f"FRONT images in {osp.join(args.out, 'images', args.split)}; boxes: {boxes}; "
          f"skipped: {report['unlabelled_frames']} unlabelled frames, "
          f"{report['unknown_type_boxes']} TYPE_UNKNOWN boxes, {report['empty_boxes']} empty "
          f"boxes; annotations: {report['ann_file']}")
    return report


if __name__ == '__main__':
    run_cli(main)
