"""Train (or search) with a config, OpenMMLab style.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                                 [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse

from mmengine.config import Config

from mmmtnas.engine.runner.amp import enable_amp
from mmmtnas.engine.runner.checkpoints import latest_loadable_checkpoint
from mmmtnas.registry import register_all_modules
from mmmtnas.utils.cli import (add_common_arguments, build_runner, freeze_imported_heap,
                               is_pipeline, load_tool_config, run_cli)
from mmmtnas.utils.distributed import prepare_distributed
from mmmtnas.utils.torch_compat import load_local_checkpoint


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train or search a model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in the work dir when '
        'no path is given')
    parser.add_argument('--amp', action='store_true', help='enable automatic mixed precision')
    add_common_arguments(parser)
    return parser.parse_args()


def apply_train_options(cfg: Config, args: argparse.Namespace) -> None:
    """Apply ``--amp`` and ``--resume`` (a pipeline applies them to each of its stages)."""
    if is_pipeline(cfg):
        cfg.amp = bool(args.amp)
        if args.resume is not None:
            cfg.resume = True if args.resume == 'auto' else args.resume
        return
    if args.amp:
        if (cfg.get('optim_wrapper') or {}).get('type') == 'AmpOptimWrapper':
            print('AMP training is already enabled in the config.')
        else:
            enable_amp(cfg)
    if args.resume == 'auto':
        # the newest checkpoint that can be read (a kill may have truncated the last one)
        cfg.load_from = latest_loadable_checkpoint(cfg.work_dir)
        cfg.resume = cfg.load_from is not None  # nothing readable: start afresh, as mmengine
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=False)
    freeze_imported_heap()
    cfg = load_tool_config(args)
    apply_train_options(cfg, args)
    if not is_pipeline(cfg) and cfg.get('load_from'):
        # a bad checkpoint is one error line before the runner writes anything
        load_local_checkpoint(cfg.load_from, map_location='cpu')
    prepare_distributed(cfg, args.launcher)
    build_runner(cfg).train()


if __name__ == '__main__':
    run_cli(main)
