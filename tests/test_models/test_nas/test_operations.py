import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmmtnas.models.nas import CANDIDATE_OPS, DARTS_OPS, FactorizedReduce, build_op
from mmmtnas.models.nas.operations import apply_layer, check_op_names


def test_the_eight_darts_ops_are_registered_once():
    assert len(DARTS_OPS) == 8
    assert set(DARTS_OPS) <= set(CANDIDATE_OPS.module_dict)


@pytest.mark.parametrize('name', DARTS_OPS)
@pytest.mark.parametrize('size', [8, 7])
def test_every_op_keeps_channels_and_maps_size_to_ceil_of_stride(name, size):
    x = torch.randn(2, 4, size, size)
    for stride in (1, 2):
        out = build_op(name, 4, stride, affine=False)(x)
        expected = -(-size // stride)
        assert out.shape == (2, 4, expected, expected), (name, stride)


def test_sep_conv_applies_the_depthwise_pointwise_pair_twice():
    c = 6
    op = build_op('sep_conv_3x3', c, 1, affine=True)
    convs = [m for m in op.modules() if isinstance(m, nn.Conv2d)]
    assert [(m.kernel_size, m.groups) for m in convs] == [((3, 3), c), ((1, 1), 1)] * 2
    # 2 x (depthwise 9c + pointwise c^2) + 2 affine BNs (2c each)
    assert sum(p.numel() for p in op.parameters()) == 2 * (9 * c + c * c) + 2 * 2 * c
    dil = build_op('dil_conv_5x5', c, 1, affine=False)
    assert [m.dilation for m in dil.modules() if isinstance(m, nn.Conv2d)] == [(2, 2), (1, 1)]
    assert not any(m.affine for m in dil.modules() if isinstance(m, nn.BatchNorm2d))


def test_none_is_zero_and_skip_is_identity_or_factorized_reduce():
    x = torch.randn(1, 4, 6, 6)
    assert torch.equal(build_op('none', 4, 2, False)(x), torch.zeros(1, 4, 3, 3))
    assert build_op('skip_connect', 4, 1, False)(x) is x
    assert isinstance(build_op('skip_connect', 4, 2, False), FactorizedReduce)


def test_factorized_reduce_samples_the_two_offset_grids_like_the_reference():
    torch.manual_seed(0)
    fr = FactorizedReduce(3, 4, affine=False).eval()
    x = torch.randn(2, 3, 8, 8)
    # reference: conv_2 sees x[:, :, 1:, 1:] (even size: identical to our zero-padded shift)
    a = F.conv2d(F.relu(x), fr.conv_1.weight, stride=2)
    b = F.conv2d(F.relu(x)[:, :, 1:, 1:], fr.conv_2.weight, stride=2)
    expected = fr.bn(torch.cat([a, b], 1))
    assert torch.allclose(fr(x), expected, atol=1e-6)


def test_pool_ops_get_a_non_affine_bn_only_when_asked():
    op = build_op('max_pool_3x3', 4, 1, affine=True, pool_bn=True)
    assert isinstance(op, nn.Sequential) and not op[1].affine
    assert isinstance(build_op('max_pool_3x3', 4, 1, affine=True), nn.MaxPool2d)


def test_unknown_or_duplicate_ops_are_named_in_the_error():
    with pytest.raises(KeyError, match='sep_conv_9x9'):
        check_op_names(['none', 'sep_conv_9x9'])
    with pytest.raises(ValueError, match='duplicate'):
        check_op_names(['skip_connect', 'skip_connect'])
    with pytest.raises(KeyError, match='conv_7x7'):
        build_op('conv_7x7', 4, 1, False)


def test_batch_norm_of_a_channels_last_input_is_the_nchw_batch_norm_in_channels_last():
    x = torch.randn(4, 3, 5, 5) * 0.01 + 3  # the CPU channels_last kernel is imprecise here
    ref_bn, bn = nn.BatchNorm2d(3), nn.BatchNorm2d(3)
    expected = ref_bn(x)
    out = apply_layer(bn, x.contiguous(memory_format=torch.channels_last))
    assert out.is_contiguous(memory_format=torch.channels_last)
    assert torch.equal(out, expected)
    assert torch.equal(bn.running_mean, ref_bn.running_mean)
    assert torch.equal(bn.running_var, ref_bn.running_var)
    conv = nn.Conv2d(3, 3, 1)
    assert torch.equal(apply_layer(conv, x), conv(x))
