"""Let ``--launcher pytorch`` runs work on machines without a GPU.

MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally and the runner hands
``device_ids=[LOCAL_RANK]`` to DDP; both fail on CPU-only processes. On GPU machines this module
changes nothing, so NCCL and SyncBN stay the defaults.
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def prepare_distributed(cfg: Config, launcher: str) -> None:
    """Adapt ``cfg`` (in place) and the process group for a CPU distributed run.

    Args:
        cfg (Config): The run's config.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    # SyncBN needs a GPU; plain BN on each CPU rank.
    cfg.pop('sync_bn', None)
    wrapper = cfg.get('model_wrapper_cfg')
    if wrapper is None:
        cfg.model_wrapper_cfg = dict(
            type='mmmtnas.DeviceAgnosticDDP',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    if launcher == 'pytorch' and not torch_dist.is_initialized():
        # The runner skips its own init_dist when a process group already exists.
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
