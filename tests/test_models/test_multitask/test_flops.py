"""Per-branch complexity of tools/analysis_tools/get_flops.py."""
import os.path as osp
import sys

import pytest

from mmmtnas.registry import MODELS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
sys.path.insert(0, osp.join(REPO, 'tools', 'analysis_tools'))
from get_flops import branch_complexity, input_shape  # noqa: E402


def test_resnet18_branch_matches_the_published_count_and_branches_sum_to_total():
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, 'configs/mtl_baseline/r18_fpn_ssd_fcn_mixed.py'))
    assert input_shape(cfg) == (320, 512)
    assert input_shape(cfg, (64, 96)) == (64, 96)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    result = branch_complexity(model, (224, 224))
    # torchvision's ResNet-18: 1.814 G multiply-adds at 224x224 (convs + the FC layer, absent
    # here, 0.0005 G); mmengine also counts one op per batch-norm element (~5 M)
    assert result['parts']['backbone']['macs'] / 1e9 == pytest.approx(1.8135, rel=5e-3)
    assert result['parts']['backbone']['flops'] == 2 * result['parts']['backbone']['macs']
    assert result['parts']['backbone']['params'] == pytest.approx(11.18e6, rel=1e-3)
    b = result['branches']
    assert set(b) == {'shared', 'det', 'seg'}
    assert b['shared']['flops'] + b['det']['flops'] + b['seg']['flops'] == \
        result['total']['flops']
    assert result['paths']['det']['flops'] == b['shared']['flops'] + b['det']['flops']
    assert result['total']['params'] == sum(p.numel() for p in model.parameters())
