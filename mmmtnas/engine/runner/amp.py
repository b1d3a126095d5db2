"""Mixed precision for a runner config: what ``tools/train.py --amp`` does to a config (and the
pipeline to each of its training stages)."""
from mmengine.config import Config


def enable_amp(cfg: Config, where: str = 'the config') -> None:
    """Make every optim wrapper of ``cfg`` an ``AmpOptimWrapper`` (dynamic loss scale).

    A bi-level search's ``optim_wrapper`` (built by a constructor into an ``OptimWrapperDict``)
    holds one wrapper config per parameter set (``weights``, ``arch``): each becomes mixed
    precision. Raises a one-line ``ValueError`` where that cannot work: on a CPU-only machine
    (mmengine's AmpOptimWrapper needs a GPU, NPU, MLU or MUSA), without an optim wrapper, or
    with a wrapper type that has no mixed-precision form.

    Args:
        cfg (Config): A runner config (modified in place).
        where (str): What to name in messages (e.g. ``"stage 's1_det'"``).
    """
    from mmengine.device import get_device
    if get_device() == 'cpu':
        raise ValueError(f"--amp: {where} would train on the CPU; mmengine's AmpOptimWrapper "
                         'needs a GPU (or NPU, MLU, MUSA)')
    optim = cfg.get('optim_wrapper')
    if not isinstance(optim, dict):
        raise ValueError(f'--amp: {where} has no optim_wrapper to make mixed precision')
    parts = [optim[k] for k in optim if isinstance(optim[k], dict) and 'optimizer' in optim[k]]
    for wrapper in parts if 'constructor' in optim and parts else [optim]:
        kind = wrapper.get('type', 'OptimWrapper')
        if kind not in ('OptimWrapper', 'AmpOptimWrapper'):
            raise ValueError(f'--amp: {where} uses {kind}, which has no mixed-precision form')
        wrapper['type'] = 'AmpOptimWrapper'
        wrapper.setdefault('loss_scale', 'dynamic')
