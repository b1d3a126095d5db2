"""What the command-line tools share: a one-line diagnosis of the usual mistakes, and a check
for mis-typed top-level config keys."""
import difflib
import os
import sys
import traceback
from typing import Callable, Iterable

from mmengine.config import Config

# Keys that ``Runner.from_cfg`` (and our runners) read; a top-level key one typo away from one of
# these is almost certainly a mistake that the runner would silently ignore.
RUNNER_KEYS = (
    'model', 'work_dir', 'train_dataloader', 'val_dataloader', 'test_dataloader', 'train_cfg',
    'val_cfg', 'test_cfg', 'auto_scale_lr', 'optim_wrapper', 'param_scheduler', 'val_evaluator',
    'test_evaluator', 'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level', 'visualizer',
    'default_scope', 'randomness', 'experiment_name', 'model_wrapper_cfg', 'custom_imports',
    'runner_type', 'find_unused_parameters', 'sync_bn', 'vis_backends')


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


def _innermost_message(err: BaseException) -> str:
    # Registry build errors re-raise as "class `X` in file.py: <cause>"; keep the whole chain's
    # last line, which names the class and the problem.
    msg = str(err).strip().splitlines()[-1] if str(err).strip() else repr(err)
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
