"""Test a checkpoint with a config, OpenMMLab style.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
                                            [--show-dir DIR] [--show] [--wait-time S]
                                            [--cfg-options k=v ...] [--launcher ...]

``--show-dir`` / ``--show`` turn on the config's ``default_hooks.visualization``
(``mmmtnas.MultiTaskVisualizationHook``): every test image is drawn with its predicted boxes,
mask and dense maps; the box score threshold is
``--cfg-options default_hooks.visualization.score_thr=0.5``.
"""
import argparse

from mmmtnas.registry import register_all_modules
from mmmtnas.utils.cli import (add_common_arguments, build_runner, freeze_imported_heap,
                               is_pipeline, load_tool_config, run_cli)
from mmmtnas.utils.distributed import prepare_distributed
from mmmtnas.utils.torch_compat import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='dump the metrics to this JSON/YAML/pickle file')
    parser.add_argument(
        '--show-dir',
        help='write the pictures of the predictions here (a relative path is placed under '
        'WORK_DIR/<timestamp>/, as in MMDetection)')
    parser.add_argument('--show', action='store_true', help='show the pictures in a window')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='seconds each shown picture stays')
    add_common_arguments(parser)
    return parser.parse_args()


def trigger_visualization_hook(cfg, args: argparse.Namespace):
    """Turn on the config's visualization hook for ``--show`` / ``--show-dir``, as
    MMDetection's ``tools/test.py`` does.

    Args:
        cfg (Config): The test config.
        args (argparse.Namespace): Parsed options.

    Returns:
        Config: ``cfg``, its ``default_hooks.visualization`` drawing.
    """
    if is_pipeline(cfg):
        raise ValueError(f'{args.config} is a pipeline of stages; for --show/--show-dir pass '
                         "the config of its test stage (see its 'stages')")
    hook = (cfg.get('default_hooks') or {}).get('visualization')
    if not hook:
        raise KeyError(f"{args.config}: --show/--show-dir need default_hooks.visualization, "
                       "e.g. dict(type='mmmtnas.MultiTaskVisualizationHook') (in "
                       'configs/_base_/default_runtime.py)')
    hook['draw'] = True
    if args.show:
        hook['show'] = True
        hook['wait_time'] = args.wait_time
    if args.show_dir:
        hook['test_out_dir'] = args.show_dir
    return cfg


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    freeze_imported_heap()
    # a bad checkpoint is one error line before the runner writes anything
    load_local_checkpoint(args.checkpoint, map_location='cpu')
    cfg = load_tool_config(args)
    cfg.load_from = args.checkpoint
    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    prepare_distributed(cfg, args.launcher)
    metrics = build_runner(cfg).test()
    if args.out:
        from mmengine.fileio import dump
        dump(metrics, args.out)


if __name__ == '__main__':
    run_cli(main)
