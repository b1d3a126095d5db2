"""Write small seeded dense multi-task data in the real PASCAL-Context MT and NYUD-v2 MT layouts.

Usage::

    python tools/dataset_converters/make_toy_dense.py --out data/toy_dense \
        --num-images 16 --seed 0 --size 64 64

writes ``data/toy_dense/PASCAL_MT`` (JPEGImages, semseg/pascal-context, human_parts,
sal_distill, normals_distill, pascal-context/trainval, ImageSets/Context) and
``data/toy_dense/NYUD_MT`` (images, segmentation, depth, normals, edge, gt_sets), and
``data/toy_dense/stand_in_mobilenet_v2_w0.25.pth`` (random MobileNetV2 weights in MMPretrain's
checkpoint layout, the toy BMTAS pipeline's stand-in for ImageNet weights).
The logic is ``mmmtnas.testing.make_toy_dense(out_dir, num_images, seed, size)``.
"""
import argparse

from mmmtnas.testing import make_toy_dense


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='data/toy_dense', help='output folder')
    parser.add_argument('--num-images', type=int, default=16, help='images per data set')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--size', type=int, nargs=2, default=(64, 64), metavar=('H', 'W'),
                        help='image height and width')
    return parser.parse_args()


def main():
    args = parse_args()
    roots = make_toy_dense(args.out, args.num_images, args.seed, tuple(args.size))
    for name, root in roots.items():
        print(f'{name}: {root}')


if __name__ == '__main__':
    main()
