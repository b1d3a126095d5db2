"""What the command-line tools share: a one-line diagnosis of the usual mistakes, and a check
for mis-typed top-level config keys."""
import argparse
import difflib
import gc
import os
import os.path as osp
import sys
import traceback
from typing import Callable, Iterable, Optional

from mmengine.config import Config, DictAction

from .config_text import unformatted_fromfile

# Keys that ``Runner.from_cfg`` (and our runners) read; a top-level key one typo away from one of
# these is almost certainly a mistake that the runner would silently ignore.
RUNNER_KEYS = (
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg',
    'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator',
    'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
    'default_scope', 'randomness', 'experiment_name', 'model_wrapper_cfg', 'custom_imports',
    'runner_type', 'find_unused_parameters', 'sync_bn', 'vis_backends')


# Top-level keys of a pipeline config (mmmtnas.StagedPipeline). `--cfg-options` on any other key
# applies to every stage: it goes to the pipeline's `stage_overrides`.
PIPELINE_KEYS = ('stages', 'stage', 'stage_order', 'stage_overrides', 'stage_config_dir',
                 'work_dir', 'resume', 'amp', 'launcher', 'load_from', 'default_scope',
                 'custom_imports', 'runner_type')


def is_pipeline(cfg: Config) -> bool:
    """Whether ``cfg`` is a pipeline of stages rather than one runner's config."""
    return isinstance(cfg.get('stages'), dict)


def pipeline_options(cfg: Config, options: dict) -> dict:
    """``--cfg-options`` for a pipeline: pipeline keys as given, every other key for each
    stage (under ``stage_overrides``)."""
    if cfg.get('stage_overrides') is None:
        cfg.stage_overrides = {}
    return {key if key.split('.')[0] in PIPELINE_KEYS else f'stage_overrides.{key}': value
            for key, value in options.items()}


def freeze_imported_heap() -> None:
    """Take every object allocated so far (the imported torch and OpenMMLab modules) out of
    the garbage collector's walks.

    MMEngine's ``BaseDataset`` calls ``gc.collect()`` for every dataset it builds, which walks
    the whole heap: about 0.5 s each, and a multi-task run builds one per source and split (a
    2-iteration toy MTL baseline run: 19.5 s without this, 11.1 s with it). Imported modules
    live as long as the process anyway; frozen, they are also not copied on write by forked
    dataloader workers.
    """
    gc.freeze()


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """Load a config file, ``--cfg-options`` applied (for a pipeline: to every stage).

    Args:
        path (str): The config file.
        options (dict, optional): ``--cfg-options``.

    Returns:
        Config: The merged config.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file not found: {path}')
    cfg = unformatted_fromfile(path)
    if options:
        cfg.merge_from_dict(pipeline_options(cfg, options) if is_pipeline(cfg) else options)
    return cfg


class ConfigKeyError(KeyError):
    """A config has a key that nothing reads."""

    def __str__(self) -> str:
        return str(self.args[0])


def check_top_level_keys(cfg: Config, known: Iterable[str] = RUNNER_KEYS) -> None:
    """Raise :class:`ConfigKeyError` for a top-level key that looks like a mis-typed known key.

    Args:
        cfg (Config): The loaded config.
        known (Iterable[str]): Keys that are read by the runner.
    """
    known = tuple(known)
    for key in cfg.keys():
        if key in known:
            continue
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.85)
        if close:
            raise ConfigKeyError(f'{cfg.filename}: unknown top-level key {key!r}; '
                                 f'did you mean {close[0]!r}?')


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options train.py and test.py share."""
    parser.add_argument('--work-dir', help='the dir to save logs, checkpoints and metrics')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override settings in the config, key=value, e.g. train_cfg.max_iters=10')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (or --local_rank on old versions).
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_tool_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` with the common options applied and checked.

    Args:
        args (argparse.Namespace): Parsed options of :func:`add_common_arguments` plus
            ``config``.

    Returns:
        Config: The config, with ``launcher`` and ``work_dir`` set.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    # --launcher first: a `launcher` in --cfg-options overrides it
    cfg = load_config(args.config, {'launcher': args.launcher, **(args.cfg_options or {})})
    check_top_level_keys(cfg)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def build_runner(cfg: Config):
    """Build the config's runner: ``runner_type`` if given (e.g. a pipeline of stages),
    otherwise MMEngine's ``Runner``."""
    if 'runner_type' in cfg:
        from mmmtnas.registry import RUNNERS
        return RUNNERS.build(cfg)
    from mmengine.runner import Runner
    return Runner.from_cfg(cfg)


def _innermost_message(err: BaseException) -> str:
    # The head of a message names the problem: a registry build error re-raises as
    # "class `X` in file.py: <cause>" on its first line, and torch's errors (DDP's "Expected to
    # have finished reduction ...") put advice and parameter lists after it.
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    msg = lines[0] if lines else repr(err)
    if isinstance(err, KeyError) and msg.startswith("'") and msg.endswith("'"):
        msg = msg[1:-1]
    return f'{type(err).__name__}: {msg}'


def run_cli(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; on a user error print the traceback (when ``MMMTNAS_DEBUG=1``)
    and always one final line that names the problem, then exit with status 1.

    Args:
        main (Callable): The tool's entry point.
    """
    try:
        main()
    except (KeyError, FileNotFoundError, ValueError, TypeError, ImportError, AssertionError,
            RuntimeError) as err:
        if os.environ.get('MMMTNAS_DEBUG') == '1':
            traceback.print_exc()
        print(f'error: {_innermost_message(err)}', file=sys.stderr)
        print('(set MMMTNAS_DEBUG=1 for the full traceback)', file=sys.stderr)
        sys.exit(1)
