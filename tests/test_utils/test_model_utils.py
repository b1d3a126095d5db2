from torch import nn
from torch.nn.parallel import DataParallel

from mmmtnas.utils import unwrap_model


class _HasModuleAttribute(nn.Module):
    """Not a wrapper, though it has a ``module`` attribute."""

    def __init__(self):
        super().__init__()
        self.module = nn.Linear(2, 2)


def test_unwrap_model_returns_the_wrapped_model():
    inner = nn.Linear(2, 2)
    assert unwrap_model(DataParallel(inner)) is inner


def test_unwrap_model_leaves_plain_models_alone():
    model = nn.Linear(2, 2)
    assert unwrap_model(model) is model
    not_a_wrapper = _HasModuleAttribute()
    assert unwrap_model(not_a_wrapper) is not_a_wrapper
