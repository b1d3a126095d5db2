import pytest
from torch import nn
from torch.nn.parallel import DataParallel

from mmmtnas.utils import eval_mode, unwrap_model


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


@pytest.mark.parametrize('training', [True, False])
def test_eval_mode_sets_eval_inside_and_restores_the_mode_after_an_error(training):
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout())
    model.train(training)
    with eval_mode(model) as inside:
        assert inside is model and not any(m.training for m in model.modules())
    assert all(m.training == training for m in model.modules())
    with pytest.raises(RuntimeError, match='boom'):
        with eval_mode(model):
            raise RuntimeError('boom')
    assert all(m.training == training for m in model.modules())
