import json

import pytest
import torch
import torch.nn as nn

from mmmtnas.models.branched.cost_table import (cache_entry_key, cached_layer_costs,
                                                measure_layer_latency, measure_layer_madds)


def conv_madds(c_in, c_out, k, h_out, w_out, groups=1):
    """Hand formula: one multiply-add per weight per output position (bias not counted)."""
    return c_out * h_out * w_out * (c_in // groups) * k * k


def test_conv_layer_madds_equal_the_hand_formula_and_chain_inputs():
    layers = [
        nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(8),
                      nn.ReLU()),
        nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8),  # depthwise, 16x16 kept
        nn.Conv2d(8, 16, 1),
    ]
    madds = measure_layer_madds(layers, torch.zeros(1, 3, 32, 48))
    assert madds == [conv_madds(3, 8, 3, 16, 24), conv_madds(8, 8, 3, 16, 24, groups=8),
                     conv_madds(8, 16, 1, 16, 24)]
    # per-layer inputs at another size give the costs at that size
    per_layer = measure_layer_madds(layers[1:], [torch.zeros(1, 8, 8, 8)] * 2)
    assert per_layer == [conv_madds(8, 8, 3, 8, 8, groups=8), conv_madds(8, 16, 1, 8, 8)]
    assert all(layer.training for layer in layers)  # mode restored


def test_latency_table_has_one_positive_median_per_layer():
    layers = [nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 4, 3, padding=1)]
    times = measure_layer_latency(layers, torch.zeros(1, 3, 16, 16), num_runs=3, num_warmup=1)
    assert len(times) == 2 and all(t > 0 for t in times)


def test_cache_file_round_trips_and_is_keyed_by_input_size(tmp_path):
    cache = str(tmp_path / 'costs' / 'table.json')
    names = ['layer1.0', 'layer2.0']
    calls = []

    def measure_at(size):
        def measure():
            calls.append(size)
            layers = [nn.Conv2d(3, 4, 3, padding=1), nn.Conv2d(4, 4, 1)]
            return measure_layer_madds(layers, torch.zeros(1, 3, *size))
        return measure

    small_key = cache_entry_key('madds', 'net-a', (16, 16))
    small = cached_layer_costs(cache, small_key, names, measure_at((16, 16)))
    assert small == [conv_madds(3, 4, 3, 16, 16), conv_madds(4, 4, 1, 16, 16)]
    assert cached_layer_costs(cache, small_key, names, measure_at((16, 16))) == small
    assert calls == [(16, 16)]  # second call read the file

    large_key = cache_entry_key('madds', 'net-a', (32, 16))
    assert large_key != small_key
    large = cached_layer_costs(cache, large_key, names, measure_at((32, 16)))
    assert large == [2 * c for c in small] and calls == [(16, 16), (32, 16)]

    with open(cache) as f:
        data = json.load(f)
    assert set(data['entries']) == {small_key, large_key}
    assert data['entries'][small_key]['layers'] == dict(zip(names, small))
    assert not [p for p in (tmp_path / 'costs').iterdir() if p.name != 'table.json']  # no tmp


def test_stale_entry_is_measured_again_and_foreign_files_are_refused(tmp_path):
    cache = str(tmp_path / 'table.json')
    key = cache_entry_key('madds', 'net-a', (8, 8))
    cached_layer_costs(cache, key, ['a', 'b'], lambda: [1., 2.])
    with pytest.warns(UserWarning, match='does not match the model'):
        costs = cached_layer_costs(cache, key, ['a', 'b', 'c'], lambda: [1., 2., 3.])
    assert costs == [1., 2., 3.]
    assert cached_layer_costs(cache, key, ['a', 'b', 'c'], lambda: [9., 9., 9.]) == costs

    foreign = tmp_path / 'other.json'
    foreign.write_text(json.dumps({'layers': [1, 2]}))
    with pytest.raises(ValueError, match='is not a layer cost cache'):
        cached_layer_costs(str(foreign), key, ['a'], lambda: [1.])
    broken = tmp_path / 'broken.json'
    broken.write_text('{"format": ')
    with pytest.raises(ValueError, match='not readable JSON'):
        cached_layer_costs(str(broken), key, ['a'], lambda: [1.])


def tiny_supernet(widen_factor=0.25):
    pytest.importorskip('mmcv')  # mmpretrain needs it
    from mmengine.registry import init_default_scope

    from mmmtnas.registry import MODELS
    init_default_scope('mmmtnas')
    return MODELS.build(dict(
        type='mmmtnas.BranchedSupernet', tasks=['a', 'b'],
        backbone=dict(type='mmpretrain.MobileNetV2', widen_factor=widen_factor),
        context=dict(type='mmmtnas.EncoderRASPP', channels=8)))


def test_supernet_table_sums_to_the_whole_encoder_count_and_is_cached(tmp_path, monkeypatch):
    from mmmtnas.models.branched import cost_table
    from mmmtnas.models.branched.cost_table import supernet_layer_costs, supernet_model_key
    from mmmtnas.models.branched.madds import count_madds
    supernet = tiny_supernet()
    cache = str(tmp_path / 'costs.json')
    costs = supernet_layer_costs(supernet, (32, 64), cache_file=cache)
    assert len(costs) == len(supernet.layer_names) and min(costs) > 0
    # the layers, measured one by one at their own input shapes, add up to the chain of
    # copy 0 of every layer counted in one go
    chain = nn.Sequential(*[supernet.block(n) for n in supernet.layer_names]).eval()
    stem_out = supernet.eval().stem(torch.zeros(1, 3, 32, 64))
    assert sum(costs) == pytest.approx(count_madds(chain, stem_out))
    # cached: read back without measuring; the key changes with the architecture
    with open(cache) as f:
        entries = json.load(f)['entries']
    assert len(entries) == 1 and list(entries.values())[0]['input_size'] == [32, 64]

    def no_measuring(*args, **kwargs):
        raise AssertionError('measured although the cache holds the table')

    monkeypatch.setattr(cost_table, 'measure_layer_madds', no_measuring)
    assert supernet_layer_costs(supernet, (32, 64), cache_file=cache) == costs
    assert supernet_model_key(tiny_supernet(0.5)) != supernet_model_key(supernet)


def test_flops_count_as_the_authors_code_one_addition_fewer_than_multiplications():
    """FLOPs (the BMTAS reference code's unit): a K-term dot product is K multiplications and
    K - 1 additions (+1 for a bias); pools count their window per output (adaptive: per input);
    batch norm and activations nothing."""
    from mmmtnas.models.branched.madds import count_flops
    module = nn.Sequential(
        nn.Conv2d(4, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU6(),
        nn.Conv2d(6, 6, 3, padding=2, dilation=2, groups=6),  # depthwise, with bias
        nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3))
    conv = (2 * 36 - 1) * 6 * 8 * 8
    depthwise = (2 * 9 - 1 + 1) * 6 * 8 * 8
    pools = 2 * 2 * 6 * 4 * 4 + 6 * 4 * 4
    linear = (2 * 6 - 1 + 1) * 3
    assert count_flops(module, torch.zeros(1, 4, 8, 8)) == conv + depthwise + pools + linear
    assert module.training  # mode restored


def test_supernet_flops_table_is_a_little_under_twice_the_madds(tmp_path):
    from mmmtnas.models.branched.cost_table import supernet_layer_costs
    supernet = tiny_supernet()
    cache = str(tmp_path / 'costs.json')
    madds = supernet_layer_costs(supernet, (32, 32), cache_file=cache)
    flops = supernet_layer_costs(supernet, (32, 32), cache_file=cache, metric='flops')
    # one addition fewer than multiplications per output of every (bias-free) convolution
    assert all(1.8 * m < f < 2 * m for m, f in zip(madds, flops))
    with open(cache) as f:
        assert len(json.load(f)['entries']) == 2  # one entry per metric


# The BMTAS reference code's look-up table for MobileNetV2 on PASCAL-Context (FLOPs per block at
# 512x512, the file its get_flops() writes), obtained by running its calculate_flops_lut.
REFERENCE_MNV2_FLOPS_512 = [
    101711872, 296878080, 263847936, 158531584, 113115136, 113115136, 77987840, 106889216,
    106889216, 106889216, 132022272, 235831296, 235831296, 311263232, 644710400, 644710400,
    959119360, 151142272]


def test_mobilenet_v2_flops_table_is_the_reference_codes():
    """So that a lambda means what it means in the paper: the 17 blocks equal, the R-ASPP
    within 0.25% (the reference code counts its image pooling, a module there and a function
    here: 320 x 32 x 32 FLOPs)."""
    from mmengine.registry import init_default_scope

    from mmmtnas.models.branched.cost_table import supernet_layer_costs
    from mmmtnas.registry import MODELS
    init_default_scope('mmmtnas')
    supernet = MODELS.build(dict(
        type='mmmtnas.BranchedSupernet', tasks=['a'],
        backbone=dict(type='mmpretrain.MobileNetV2', act_cfg=dict(type='ReLU6')),
        context=dict(type='mmmtnas.EncoderRASPP', channels=128)))
    flops = supernet_layer_costs(supernet, (512, 512), metric='flops')
    assert flops[:-1] == REFERENCE_MNV2_FLOPS_512[:-1]
    assert flops[-1] == pytest.approx(REFERENCE_MNV2_FLOPS_512[-1], rel=2.5e-3)
