"""Write the toy driving set (Cityscapes, BDD100K, Waymo, KITTI and ImageNet layouts).

Usage::

    python tools/dataset_converters/make_toy_driving.py --out data/toy_driving \
        --num-images 32 --seed 0 --size 128 256

The same thing from Python::

    from mmmtnas.testing import make_toy_driving
    make_toy_driving('data/toy_driving', num_images=32, seed=0, size=(128, 256))

Scenes are drawn procedurally (see ``mmmtnas/testing/toy_scene.py``); equal seeds give
byte-identical files. The layout of every source is described in docs/data_preparation.md.
"""
import argparse
import time

from mmmtnas.testing import make_toy_driving


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/toy_driving', help='output root folder')
    parser.add_argument('--num-images', type=int, default=32,
                        help='train images per source (val gets max(2, N // 4))')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--size', type=int, nargs=2, default=(128, 256), metavar=('H', 'W'),
                        help='image height and width')
    parser.add_argument('--crop-size', type=int, default=64,
                        help='side of the ImageNet-format crops')
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    start = time.time()
    manifest = make_toy_driving(args.out, num_images=args.num_images, seed=args.seed,
                                size=tuple(args.size), crop_size=args.crop_size)
    counts = ', '.join(f'{name} {sum(len(v) for v in splits.values())}'
                       for name, splits in manifest['sources'].items())
    print(f'wrote toy driving set to {args.out} ({counts} images; '
          f'{time.time() - start:.1f} s)')


if __name__ == '__main__':
    main()
