"""Distributed runs: mmmtnas's DDP wrapper by default, and ``--launcher pytorch`` on machines
without a GPU.

MMEngine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally and the runner hands
``device_ids=[LOCAL_RANK]`` to DDP; both fail on CPU-only processes. On GPU machines NCCL and
SyncBN stay the defaults.
"""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config


def distributed_config(cfg: Config, launcher: str) -> None:
    """Adapt ``cfg`` (in place) to a distributed run; a run's or a pipeline stage's config.

    Every distributed run gets ``mmmtnas.DeviceAgnosticDDP`` unless the config names another
    wrapper type: it runs on CPU processes, steps search algorithms through their own
    ``train_step`` and sets ``find_unused_parameters`` from what the model declares. Without a
    GPU the backend is gloo and SyncBN is left out.

    Args:
        cfg (Config): The config.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
    """
    if launcher == 'none':
        return
    wrapper = cfg.get('model_wrapper_cfg') or {}
    wrapper.setdefault('type', 'mmmtnas.DeviceAgnosticDDP')
    wrapper.setdefault('broadcast_buffers', False)
    if cfg.get('find_unused_parameters') is not None:  # MMEngine's top-level key
        wrapper.setdefault('find_unused_parameters', cfg.find_unused_parameters)
    cfg.model_wrapper_cfg = wrapper
    if torch.cuda.is_available():
        return
    env_cfg = cfg.setdefault('env_cfg', {})
    dist_cfg = env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    # SyncBN needs a GPU; plain BN on each CPU rank.
    cfg.pop('sync_bn', None)


def prepare_distributed(cfg: Config, launcher: str) -> None:
    """Adapt ``cfg`` (:func:`distributed_config`) and, for a CPU run, start the gloo process
    group.

    Args:
        cfg (Config): The run's config.
        launcher (str): ``none``, ``pytorch``, ``slurm`` or ``mpi``.
    """
    distributed_config(cfg, launcher)
    if launcher == 'pytorch' and not torch.cuda.is_available() \
            and not torch_dist.is_initialized():
        # The runner skips its own init_dist when a process group already exists.
        torch_dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
