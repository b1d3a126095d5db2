"""BranchedSupernet: splitting of real MMPretrain encoders, routing modes, pretrained copies."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.models.branched import BranchedSupernet
from mmmtnas.registry import MODELS
from mmmtnas.testing.toy_dense import make_stand_in_imagenet_checkpoint
from repo_paths import REPO_ROOT

TASKS = ['seg', 'sal', 'edge']
MNV2 = dict(type='mmpretrain.MobileNetV2', widen_factor=0.25)
TINY_R50 = dict(type='mmpretrain.ResNet', depth=50, base_channels=4, stem_channels=8)
TOY_SEARCH = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_search.py')


def build(tasks=TASKS, backbone=MNV2, context=dict(type='mmmtnas.EncoderRASPP', channels=8),
          **kwargs) -> BranchedSupernet:
    init_default_scope('mmmtnas')
    torch.manual_seed(0)
    model = MODELS.build(dict(type='mmmtnas.BranchedSupernet', tasks=tasks, backbone=backbone,
                              context=context, **kwargs))
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def mnv2():
    return build()


def manual_route(model: BranchedSupernet, x: torch.Tensor, copies):
    """Run stem + the given copy index at each layer, returning (low, high)."""
    feat, low = model.stem(x), None
    for name, c in zip(model.layer_names, copies):
        feat = model.block(name, c)(feat)
        if name == model.low_level_layer:
            low = feat
    return low, feat


def test_mobilenetv2_splits_into_17_blocks_plus_raspp_with_stride_16_and_stride_4(mnv2):
    assert len(mnv2.layer_names) == 18
    assert mnv2.layer_names[:3] == ['layer1.0', 'layer2.0', 'layer2.1']
    assert mnv2.layer_names[-1] == 'raspp' and mnv2.low_level_layer == 'layer2.1'
    mnv2.eval()
    out = mnv2(torch.randn(2, 3, 64, 64))
    assert list(out) == TASKS
    low, high = out['seg']
    assert low.shape == (2, mnv2.low_level_channels, 16, 16)
    assert high.shape == (2, mnv2.out_channels, 4, 4) and mnv2.out_channels == 8
    # the authors' MobileNetV2: the 96->160 block (layer6.0) keeps stride 1 and dilation 1,
    # the 160 and 320 blocks after it have dilation 2
    depthwise = {name: [(m.dilation[0], m.stride[0]) for m in mnv2.block(name).modules()
                        if isinstance(m, nn.Conv2d) and m.kernel_size[0] == 3]
                 for name in ('layer5.2', 'layer6.0', 'layer6.1', 'layer7.0')}
    assert depthwise == {'layer5.2': [(1, 1)], 'layer6.0': [(1, 1)], 'layer6.1': [(2, 1)],
                         'layer7.0': [(2, 1)]}


def test_resnet50_splits_into_16_bottlenecks_plus_aspp_dilated_to_stride_16():
    model = build(tasks=['a', 'b'], backbone=TINY_R50,
                  context=dict(type='mmmtnas.EncoderASPP', channels=8))
    assert len(model.layer_names) == 17 and model.layer_names[-1] == 'aspp'
    assert model.low_level_layer == 'layer1.2' and model.low_level_channels == 16
    # torchvision's and the BMTAS authors' convention: the block that gives up its stride
    # keeps the dilation before it, the blocks after it are dilated
    for name, dilation in (('layer4.0', 1), ('layer4.1', 2), ('layer4.2', 2)):
        convs = [m for m in model.block(name).modules()
                 if isinstance(m, nn.Conv2d) and m.kernel_size[0] == 3]
        assert [(c.dilation[0], c.stride[0], c.padding[0]) for c in convs] == \
            [(dilation, 1, dilation)], name
    model.eval()
    low, high = model(torch.randn(1, 3, 64, 64))['b']
    assert low.shape[-2:] == (16, 16) and high.shape[-2:] == (4, 4)


def test_every_layer_holds_one_independent_copy_per_task_and_zero_alphas(mnv2):
    for name in mnv2.layer_names:
        ptrs = [next(mnv2.block(name, c).parameters()).data_ptr() for c in range(len(TASKS))]
        assert len(set(ptrs)) == len(TASKS)
        assert torch.equal(mnv2.arch_params[name], torch.zeros(3, 3))
    assert mnv2.arch_params.stacked().shape == (18, 3, 3)
    # without a checkpoint the copies start from different random weights
    w = [mnv2.block('layer3.1', c).conv[0].conv.weight for c in range(3)]
    assert not torch.equal(w[0], w[1]) and not torch.equal(w[1], w[2])
    assert set(mnv2.arch_params.parameters()).isdisjoint(set(mnv2.layers.parameters()))


def test_last_batch_norm_of_every_copy_has_no_affine_by_default(mnv2):
    last = mnv2.block('layer3.1', 2).conv[-1].bn
    assert not last.affine and last.weight is None
    assert mnv2.block('layer3.1', 2).conv[0].bn.affine


def test_eval_routes_each_task_through_its_argmax_copy(mnv2):
    routing = torch.randint(0, 3, (18, 3), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        for l, name in enumerate(mnv2.layer_names):
            mnv2.arch_params[name].zero_()
            mnv2.arch_params[name][torch.arange(3), routing[l]] = 1.
    mnv2.eval()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = mnv2(x)
        for t, task in enumerate(TASKS):
            low, high = manual_route(mnv2, x, routing[:, t].tolist())
            torch.testing.assert_close(out[task][0], low)
            torch.testing.assert_close(out[task][1], high)
    with torch.no_grad():
        for name in mnv2.layer_names:
            mnv2.arch_params[name].zero_()


def test_shared_routes_are_computed_once_in_eval(mnv2):
    calls = []
    hooks = [mnv2.block(name, c).register_forward_hook(lambda *a: calls.append(1))
             for name in mnv2.layer_names for c in range(3)]
    mnv2.eval()
    with torch.no_grad():
        mnv2(torch.randn(1, 3, 64, 64))  # alpha = 0: argmax picks copy 0 for all tasks
    for h in hooks:
        h.remove()
    assert len(calls) == 18


def test_search_mixes_copies_with_gumbel_weights_and_trains_alpha():
    model = build(tasks=['a', 'b'])
    model.train()
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():  # a near-one-hot row makes the Gumbel mix equal the hard route
        for name in model.layer_names:
            model.arch_params[name].copy_(torch.tensor([[0., 50.], [50., 0.]]))
    model.temperature = 1.
    out = model(x)
    low, high = manual_route(model, x, [1] * 18)
    torch.testing.assert_close(out['a'][1], high, atol=1e-5, rtol=1e-4)
    with torch.no_grad():
        for name in model.layer_names:
            model.arch_params[name].zero_()
    model.temperature = 5.
    out = model(x)
    # Not a norm of the output: each copy ends in a batch norm, which makes norms of the
    # features insensitive to the mixing weights.
    probe = torch.randn_like(out['a'][1])
    sum((o[1] * probe).sum() for o in out.values()).backward()
    grads = [model.arch_params[name].grad for name in model.layer_names]
    assert all(g is not None and g.abs().sum() > 0 for g in grads)


def test_identity_routing_trains_each_task_only_on_its_own_copy():
    model = build(tasks=['a', 'b'], routing_mode='identity')
    model.train()
    x = torch.randn(2, 3, 64, 64)
    out = model(x)
    low, high = manual_route(model, x, [1] * 18)
    torch.testing.assert_close(out['b'][1], high)
    out['b'][1].sum().backward()
    for name in model.layer_names:
        own = [p.grad for p in model.block(name, 1).parameters()]
        other = [p.grad for p in model.block(name, 0).parameters()]
        assert any(g is not None and g.abs().sum() > 0 for g in own)
        assert all(g is None for g in other)
    assert all(p.grad is None for p in model.arch_params.parameters())


def test_imagenet_init_cfg_loads_the_checkpoint_into_stem_and_all_copies_alike(tmp_path):
    """The toy search config's encoder with its checkpoint (MMPretrain's layout: 'backbone.*'
    in 'state_dict') written here: after init_weights every copy of every backbone block equals
    the checkpoint, so all T copies are identical (App. A)."""
    ckpt = make_stand_in_imagenet_checkpoint(str(tmp_path / 'imagenet.pth'), seed=1)
    state = torch.load(ckpt, weights_only=True)['state_dict']
    encoder = Config.fromfile(TOY_SEARCH).model.model.encoder.to_dict()
    assert encoder['backbone']['init_cfg']['type'] == 'Pretrained'
    encoder['backbone']['init_cfg']['checkpoint'] = ckpt
    init_default_scope('mmmtnas')
    model = MODELS.build(dict(encoder, tasks=TASKS))
    model.init_weights()
    for key, value in model.stem.state_dict().items():
        torch.testing.assert_close(value, state[f'backbone.{key}'], rtol=0, atol=0)
    compared = 0
    for name in model.layer_names[:-1]:  # the R-ASPP is not in an ImageNet checkpoint
        for c in range(len(TASKS)):
            for key, value in model.block(name, c).state_dict().items():
                if key.endswith('num_batches_tracked'):
                    continue
                torch.testing.assert_close(value, state[f'backbone.{name}.{key}'], rtol=0,
                                           atol=0)
                compared += 1
    # the R-ASPP is drawn at random for each copy, every convolution of it
    raspp = [model.block('raspp', c) for c in range(len(TASKS))]
    for name, conv in raspp[0].named_modules():
        if isinstance(conv, nn.Conv2d):
            others = [dict(r.named_modules())[name].weight for r in raspp[1:]]
            assert not any(torch.equal(conv.weight, w) for w in others), name
    # every block's tensors, but its last norm's affine (dropped for the search)
    assert compared == len(TASKS) * (sum(
        not k.endswith('num_batches_tracked') for k in state
        if not k.startswith(('backbone.conv1.', 'backbone.conv2.'))) - 2 * 17)


def test_checkpoint_of_another_model_is_a_one_line_error(tmp_path):
    ckpt = tmp_path / 'other.pth'
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(2, 2)}}, ckpt)
    backbone = dict(MNV2, init_cfg=dict(type='Pretrained', checkpoint=str(ckpt)))
    with pytest.raises(ValueError, match='no key matches the backbone'):
        build(tasks=['a'], backbone=backbone)


def test_unknown_task_and_bad_routing_mode_are_named():
    model = build(tasks=['a', 'b'])
    with pytest.raises(KeyError, match='depth'):
        model(torch.randn(1, 3, 32, 32), tasks=['depth'])
    with pytest.raises(ValueError, match='routing_mode'):
        model.set_routing_mode('soft')
