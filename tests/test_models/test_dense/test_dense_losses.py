"""Dense task losses against hand computations."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmmtnas.models.dense.losses import BalancedBCELoss, DepthL1Loss, NormalsL1Loss


def _sig(x):
    return 1 / (1 + math.exp(-x))


def test_balanced_bce_fixed_weight_matches_hand_computation():
    pred = torch.tensor([[[[2.0, -1.0, 0.5, 3.0]]]])
    target = torch.tensor([[[[1.0, 0.0, 1.0, 255.0]]]])  # last pixel ignored
    loss = BalancedBCELoss(pos_weight=0.95)(pred, target)
    w = 0.95
    terms = [w * -math.log(_sig(2.0)), (1 - w) * -math.log(1 - _sig(-1.0)),
             w * -math.log(_sig(0.5))]
    assert loss.item() == pytest.approx(sum(terms) / 3, rel=1e-6)


def test_balanced_bce_adaptive_weight_is_negative_fraction():
    pred = torch.tensor([0.3, -0.2, 1.0, -2.0]).view(1, 1, 2, 2)
    target = torch.tensor([1.0, 0.0, 0.0, 0.0]).view(1, 1, 2, 2)
    loss = BalancedBCELoss()(pred, target)
    w = 3 / 4  # negatives / valid
    expected = (w * -math.log(_sig(0.3)) + (1 - w) * sum(
        -math.log(1 - _sig(v)) for v in (-0.2, 1.0, -2.0))) / 4
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_balanced_bce_gradient_flows_and_all_ignored_is_zero():
    pred = torch.zeros(1, 1, 2, 2, requires_grad=True)
    loss = BalancedBCELoss(pos_weight=0.95, loss_weight=50.)(pred, torch.full((1, 1, 2, 2), 255.))
    loss.backward()
    assert loss.item() == 0.0 and pred.grad is not None


def test_normals_l1_normalises_prediction_and_ignores_invalid():
    pred = torch.tensor([[0.0, 0.0], [0.0, 3.0], [2.0, 4.0]]).view(1, 3, 1, 2)
    target = torch.tensor([[0.6, 255.0], [0.0, 255.0], [0.8, 255.0]]).view(1, 3, 1, 2)
    loss = NormalsL1Loss()(pred, target)
    # Pixel 0: unit pred (0, 0, 1) vs (0.6, 0, 0.8) -> 0.6 + 0 + 0.2; pixel 1 ignored.
    assert loss.item() == pytest.approx(0.8, rel=1e-6)


def test_normals_l1_zero_ground_truth_is_invalid():
    pred = torch.randn(2, 3, 4, 4)
    target = F.normalize(torch.randn(2, 3, 4, 4), dim=1)
    target[:, :, :2] = 0.0
    full = NormalsL1Loss()(pred, target)
    expected = (F.normalize(pred, dim=1) - target).abs().sum(1)[:, 2:].mean()
    assert full.item() == pytest.approx(expected.item(), rel=1e-5)


def test_depth_l1_skips_missing_depth():
    pred = torch.tensor([1.0, 2.0, 5.0, 7.0]).view(1, 1, 2, 2)
    target = torch.tensor([1.5, 0.0, 4.0, 255.0]).view(1, 1, 2, 2)
    assert DepthL1Loss()(pred, target).item() == pytest.approx((0.5 + 1.0) / 2)


def test_losses_reject_shape_mismatch():
    with pytest.raises(ValueError, match='differ'):
        DepthL1Loss()(torch.zeros(1, 1, 2, 2), torch.zeros(1, 1, 2, 3))
    with pytest.raises(ValueError, match='pos_weight'):
        BalancedBCELoss(pos_weight=95)
