"""Which checkpoint a resumed run starts from: the latest one that can be read."""
import logging
import os.path as osp
import re
from glob import glob
from typing import List, Optional

from mmengine.logging import print_log

from mmmtnas.utils.torch_compat import CheckpointError, load_local_checkpoint

_NUMBERED = re.compile(r'^(?:iter|epoch)_(\d+)\.pth$')


def _candidates(work_dir: str) -> List[str]:
    """The checkpoint ``last_checkpoint`` names, then the numbered ones, newest first."""
    numbered = [p for p in glob(osp.join(work_dir, '*.pth')) if _NUMBERED.match(osp.basename(p))]
    numbered.sort(key=lambda p: int(_NUMBERED.match(osp.basename(p)).group(1)), reverse=True)
    named = []
    marker = osp.join(work_dir, 'last_checkpoint')
    if osp.isfile(marker):
        with open(marker) as f:
            path = f.read().strip()
        if path and osp.isfile(path):
            named.append(path)
    return list(dict.fromkeys(named + numbered))


def latest_loadable_checkpoint(work_dir: str) -> Optional[str]:
    """Return the newest checkpoint in ``work_dir`` that loads, or None if there is none.

    A run killed while mmengine was writing a checkpoint leaves a truncated file behind, and
    ``last_checkpoint`` may name it. Such a file is skipped with a warning naming it and the
    checkpoint used instead, so ``--resume`` falls back to the previous good checkpoint.

    Args:
        work_dir (str): The run's work dir.

    Returns:
        str | None: The checkpoint to resume from.
    """
    for path in _candidates(work_dir):
        try:
            load_local_checkpoint(path, map_location='cpu')
        except CheckpointError as err:  # truncated, empty, foreign, unsafe
            print_log(f'checkpoint {path} cannot be read ({err}); trying the previous one',
                      logger='current', level=logging.WARNING)
            continue
        return path
    return None
