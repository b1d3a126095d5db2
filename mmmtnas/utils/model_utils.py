"""Module helpers: reach the model inside a runner's wrapper (DDP,
``MMDistributedDataParallel`` …); run a block with a module in eval mode."""
from contextlib import contextmanager
from typing import Iterator

from mmengine.model import is_model_wrapper
from torch import nn


def unwrap_model(model: nn.Module) -> nn.Module:
    """Return the model a wrapper holds, or ``model`` itself when it is not wrapped.

    A wrapper is whatever MMEngine's ``MODEL_WRAPPERS`` registry (or one of its children, such
    as mmmtnas') knows, which includes torch's ``DataParallel`` and ``DistributedDataParallel``.
    A plain module that merely has a ``module`` attribute is left as it is.

    Args:
        model (nn.Module): A model, possibly wrapped.

    Returns:
        nn.Module: The wrapped model, or ``model``.
    """
    return model.module if is_model_wrapper(model) else model


@contextmanager
def eval_mode(module: nn.Module) -> Iterator[nn.Module]:
    """Put ``module`` in eval mode for the ``with`` block, then back in the train/eval mode it
    had, also when the block raises.

    Args:
        module (nn.Module): The module.

    Yields:
        nn.Module: ``module``.
    """
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
