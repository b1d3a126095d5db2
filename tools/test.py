"""Test a checkpoint with a config, OpenMMLab style.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                                            [--cfg-options k=v ...] [--launcher ...]
"""
import argparse

from mmmtnas.registry import register_all_modules
from mmmtnas.utils.cli import (add_common_arguments, build_runner, load_tool_config,
                               run_cli)
from mmmtnas.utils.distributed import prepare_distributed
from mmmtnas.utils.torch_compat import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump the metrics to this JSON/YAML/pickle file')
    add_common_arguments(parser)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    # a bad checkpoint is one error line before the runner writes anything
    load_local_checkpoint(args.checkpoint, map_location='cpu')
    cfg = load_tool_config(args)
    cfg.load_from = args.checkpoint
    prepare_distributed(cfg, args.launcher)
    metrics = build_runner(cfg).test()
    if args.out:
        from mmengine.fileio import dump
        dump(metrics, args.out)


if __name__ == '__main__':
    run_cli(main)
