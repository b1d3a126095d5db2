"""BDD100K detection labels -> COCO JSON, as the bdd100k toolkit's ``to_coco -m det`` writes it.

Usage::

    python tools/dataset_converters/bdd100k_det.py -i data/bdd100k/labels/det_20/det_train.json \
        -o data/bdd100k/labels/det_20/det_train_coco.json [--image-size 720 1280]

Reads the 2020 ``det_20`` files or the 2018 ``bdd100k_labels_images_*.json``; needs neither the
toolkit nor scalabel. What is mapped and ignored: :mod:`mmmtnas.datasets.converters.bdd100k`.
"""
import argparse
import json
import os.path as osp

from mmmtnas.datasets.converters.bdd100k import IMAGE_SIZE, bdd100k_det_to_coco
from mmmtnas.datasets.converters.waymo import write_json
from mmmtnas.utils.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('-i', '--input', required=True, help='BDD100K label JSON')
    parser.add_argument('-o', '--output', required=True, help='COCO JSON to write')
    parser.add_argument('--image-size', type=int, nargs=2, default=IMAGE_SIZE,
                        metavar=('HEIGHT', 'WIDTH'), help='image size written (720 1280)')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not osp.isfile(args.input):
        raise FileNotFoundError(f'BDD100K label file not found: {args.input}')
    with open(args.input) as f:
        try:
            frames = json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{args.input}: not valid JSON ({e})') from None
    coco, report = bdd100k_det_to_coco(frames, args.input, tuple(args.image_size))
    write_json(args.output, coco)
    boxes = ', '.join(f'{k} {v}' for k, v in sorted(report['boxes'].items())) or 'none'
    print(f"{report['images']} images, boxes: {boxes} ({report['crowd_boxes']} crowd/ignored; "
          f"{report['no_box2d']} labels without box2d skipped) -> {args.output}")
    return report


if __name__ == '__main__':
    run_cli(main)
