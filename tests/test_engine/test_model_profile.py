"""The test stage's profile: GMACs and GFLOPs (= 2 x MACs), labelled, of the input it is given."""
import pytest
import torch.nn as nn

from mmmtnas.engine.runner.model_profile import profile_model
from mmmtnas.engine.runner.pipeline_summary import summary_markdown


def test_profile_counts_macs_and_flops_twice_that():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.ReLU(),
                          nn.Conv2d(8, 4, 1, bias=False))
    fig = profile_model(model, (20, 24), repeats=1, warmup=0)
    macs = 20 * 24 * (8 * 3 * 9 + 4 * 8)  # per output pixel: the 3x3 conv, then the 1x1 one
    assert fig['macs_G'] == pytest.approx(macs / 1e9) and fig['flops_G'] == 2 * fig['macs_G']
    assert fig['params_M'] == pytest.approx((8 * 3 * 9 + 4 * 8) / 1e6)
    assert fig['input_size'] == [20, 24]
    text = summary_markdown({'test': dict(kind='test', done=True, metrics=fig)})
    assert '| macs_G (GMACs = multiply-adds' in text
    assert '| flops_G (GFLOPs = 2 x MACs' in text
