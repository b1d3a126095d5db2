"""Run a multi-task model on images and write pictures and predictions.

    python demo/image_demo.py CONFIG CHECKPOINT INPUTS [INPUTS ...] [--out-dir outputs]
                              [--score-thr 0.3] [--device cpu] [--batch-size 1] [--show]
                              [--no-save-pred]

INPUTS are image files or folders of images. Pictures (boxes, mask, dense-task maps) go to
``OUT_DIR/vis/<image stem>.png``, predictions to ``OUT_DIR/preds/<image stem>.json`` (boxes,
labels, scores; label maps as ``<stem>_<task>.png``, other maps as ``.npy``).
"""
import argparse
import os.path as osp

from mmmtnas.apis import MultiTaskInferencer
from mmmtnas.utils.cli import run_cli


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Multi-task inference on images')
    parser.add_argument('config', help='model config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('inputs', nargs='+', help='image files or folders of images')
    parser.add_argument('--out-dir', default='outputs', help='output folder')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='boxes at or below this score are not drawn')
    parser.add_argument('--device', default=None, help='e.g. cpu, cuda:0 (default: auto)')
    parser.add_argument('--batch-size', type=int, default=1, help='images per forward pass')
    parser.add_argument('--show', action='store_true', help='show the pictures in a window')
    parser.add_argument('--no-save-pred', action='store_true',
                        help='do not write the predictions')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    inferencer = MultiTaskInferencer(args.config, args.checkpoint, device=args.device)
    count = 0
    for inputs in args.inputs:
        # one call per argument: a folder expands to its images
        out = inferencer(inputs, batch_size=args.batch_size, out_dir=args.out_dir,
                         pred_score_thr=args.score_thr, show=args.show,
                         no_save_pred=args.no_save_pred)
        count += len(out['predictions'])
    print(f'{count} image(s): pictures in {osp.join(args.out_dir, "vis")}'
          + ('' if args.no_save_pred else f', predictions in {osp.join(args.out_dir, "preds")}'))


if __name__ == '__main__':
    run_cli(main)
