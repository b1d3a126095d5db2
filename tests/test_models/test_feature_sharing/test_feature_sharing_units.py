"""Cross-Stitch units, NDDR layers and MTAN attention against independent computations; task
columns loaded from a Single baseline checkpoint reproduce the Single network."""
import pytest
import torch
from mmengine.registry import init_default_scope

from mmmtnas.models.feature_sharing import CrossStitchUnit, NDDRLayer
from mmmtnas.registry import MODELS

TASKS = ['semseg', 'sal', 'normals']
MNV2 = dict(type='mmpretrain.MobileNetV2', widen_factor=0.25)
RASPP = dict(type='mmmtnas.EncoderRASPP', channels=8)
HEADS = dict(
    semseg=dict(type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=3),
    sal=dict(type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=1, postprocess='sigmoid',
             loss_decode=dict(type='mmmtnas.BalancedBCELoss', loss_name='loss_bce')),
    normals=dict(type='mmmtnas.DeepLabV3PlusDecoderHead', num_classes=3,
                 postprocess='normalize', loss_decode=dict(type='mmmtnas.NormalsL1Loss')))
HEAD_DEFAULTS = dict(in_channels=(8, 8), channels=8, c1_channels=4)


@pytest.fixture(scope='module')
def encoders():
    """Each encoder built once (MTAN as for MobileNetV2: separable, full-width masks)."""
    init_default_scope('mmmtnas')
    torch.manual_seed(0)
    nets = {}
    for kind, kwargs in [('CrossStitchNetwork', {}), ('NDDRNetwork', {}),
                         ('MTANEncoder', dict(att_reduction=1, separable=True))]:
        nets[kind] = MODELS.build(dict(type=f'mmmtnas.{kind}', tasks=TASKS, backbone=MNV2,
                                       context=RASPP, **kwargs))
        nets[kind].init_weights()
        nets[kind].eval()
    return nets


def test_cross_stitch_unit_is_the_hand_computed_linear_combination():
    unit = CrossStitchUnit(TASKS)
    # initial mix: 0.9 own, 0.1 / (T - 1) = 0.05 each other
    expected = torch.tensor([[0.9, 0.05, 0.05], [0.05, 0.9, 0.05], [0.05, 0.05, 0.9]])
    assert torch.allclose(unit.weight, expected)
    x = {t: torch.randn(2, 4, 3, 5) for t in TASKS}
    out = unit(x)
    a, b, c = (x[t] for t in TASKS)
    assert torch.allclose(out['semseg'], 0.9 * a + 0.05 * b + 0.05 * c, atol=1e-6)
    assert torch.allclose(out['normals'], 0.05 * a + 0.05 * b + 0.9 * c, atol=1e-6)
    with torch.no_grad():
        unit.weight.copy_(torch.tensor([[1., 2., 3.], [0., -1., 0.5], [4., 0., 0.]]))
    out = unit(x)
    assert torch.allclose(out['semseg'], a + 2 * b + 3 * c, atol=1e-5)
    assert torch.allclose(out['sal'], -b + 0.5 * c, atol=1e-6)
    assert torch.allclose(out['normals'], 4 * a, atol=1e-6)


def test_nddr_layer_at_init_is_the_explicit_matrix_product_on_the_concatenation():
    channels = 4
    layer = NDDRLayer(TASKS, channels, init_same=0.8).eval()
    x = {t: torch.randn(2, channels, 3, 5) for t in TASKS}
    joined = torch.cat([x[t] for t in TASKS], dim=1)  # (N, T C, H, W)
    eye, other = torch.eye(channels), 0.2 / 2
    out = layer(x)
    for i, task in enumerate(TASKS):
        blocks = [(0.8 if j == i else other) * eye for j in range(len(TASKS))]
        matrix = torch.cat(blocks, dim=1)  # (C, T C)
        product = torch.einsum('ck,nkhw->nchw', matrix, joined)
        # BN in eval mode at init: mean 0, var 1, weight 1, bias 0; then ReLU
        bn = layer.layers[task].norm
        expected = torch.relu(product / torch.sqrt(torch.tensor(1. + bn.eps)))
        assert torch.allclose(out[task], expected, atol=1e-6)
    # it is a 1x1 convolution over the concatenation in task order, whatever the weights
    with torch.no_grad():
        for module in layer.layers.values():
            module.conv.weight.normal_()
    out = layer(x)
    weight = layer.layers['sal'].conv.weight[:, :, 0, 0]
    expected = torch.relu(torch.einsum('ck,nkhw->nchw', weight, joined) /
                          torch.sqrt(torch.tensor(1. + layer.layers['sal'].norm.eps)))
    assert torch.allclose(out['sal'], expected, atol=1e-5)


@pytest.mark.parametrize('kind', ['CrossStitchNetwork', 'NDDRNetwork', 'MTANEncoder'])
def test_encoders_give_each_task_low_and_high_level_features(encoders, kind):
    net = encoders[kind]
    with torch.no_grad():
        out = net(torch.randn(1, 3, 32, 32))
    assert sorted(out) == sorted(TASKS)
    for low, high in out.values():
        assert low.shape == (1, net.low_level_channels, 8, 8) and net.low_level_channels == 8
        assert high.shape == (1, net.out_channels, 2, 2) and net.out_channels == 8


def test_nddr_init_survives_init_weights_and_units_sit_after_stem_and_each_stage(encoders):
    net = encoders['NDDRNetwork']
    stages = ['stem'] + [f'layer{i}' for i in range(1, 8)]
    assert list(net.nddr) == stages
    conv = net.nddr['layer3'].layers['sal'].conv.weight[:, :, 0, 0]  # 8 channels, 3 tasks
    assert torch.allclose(conv[:, 8:16], 0.9 * torch.eye(8))
    assert torch.allclose(conv[:, :8], 0.05 * torch.eye(8))
    assert list(encoders['CrossStitchNetwork'].stitch) == stages


def test_mtan_masks_lie_in_0_1_and_gate_the_shared_features(encoders):
    # float64: a float32 sigmoid rounds to exactly 1 from about 17 on
    net = encoders['MTANEncoder'].double()
    seen, calls = {}, {}

    def keep(name):
        def hook(module, inputs, output):
            seen[name] = (inputs[0], output)
            calls.setdefault(name, []).append(inputs[0])
        return hook

    handles = [net.attention[s.name][t].register_forward_hook(keep(f'mask.{s.name}.{t}'))
               for s in net.stages for t in TASKS]
    handles += [net.blocks[s.layers[-1].replace('.', '__')].register_forward_hook(
        keep(f'shared.{s.name}')) for s in net.stages]
    handles += [net.refine[name].register_forward_hook(keep(f'refine.{name}'))
                for name in net.refine]
    handles += [net.context[t].register_forward_hook(keep(f'context.{t}')) for t in TASKS]
    with torch.no_grad():
        out = net(torch.randn(2, 3, 32, 32, dtype=torch.float64) * 3)
    for h in handles:
        h.remove()
    assert [s.name for s in net.stages] == [f'layer{i}' for i in range(1, 8)]
    for t in TASKS:
        for s in net.stages:
            cue, mask = seen[f'mask.{s.name}.{t}']
            shared = seen[f'shared.{s.name}'][1]
            assert mask.shape == shared.shape
            assert float(mask.min()) > 0 and float(mask.max()) < 1
            with torch.no_grad():  # the sigmoid of the second 1x1 conv's output
                logits = net.attention[s.name][t][1](net.attention[s.name][t][0](cue))
            assert torch.allclose(mask, torch.sigmoid(logits))
            gated = mask * shared
            if s.name in net.refine:  # the shared refinement sees each task's gated features
                assert torch.allclose(calls[f'refine.{s.name}'][TASKS.index(t)], gated)
            if s.name == 'layer2':  # stride 4: the decoder's low-level input
                assert torch.allclose(out[t][0], gated)
        # the task's context module gets the last stage's gated features
        last = net.stages[-1].name
        assert torch.allclose(seen[f'context.{t}'][0],
                              seen[f'mask.{last}.{t}'][1] * seen[f'shared.{last}'][1])
        assert torch.allclose(out[t][1], seen[f'context.{t}'][1])
    # masks differ between tasks (own attention modules), the gated features too
    assert not torch.allclose(seen['mask.layer4.semseg'][1], seen['mask.layer4.sal'][1])
    # later stages see the stage's shared input and the task's own carried features
    cue = seen['mask.layer3.sal'][0]
    assert cue.shape[1] == 2 * net.stages[2].in_channels_last
    net.float()


def _model(**kwargs):
    init_default_scope('mmmtnas')
    torch.manual_seed(1)
    model = MODELS.build(dict(heads=HEADS, head_defaults=HEAD_DEFAULTS, **kwargs))
    model.init_weights()
    return model.eval()


@pytest.fixture(scope='module')
def single_checkpoint(tmp_path_factory):
    """A Single baseline (one encoder per task, shared stem) with perturbed BN statistics,
    saved as a runner checkpoint."""
    single = _model(type='mmmtnas.DenseMultiTaskModel', encoder=dict(
        type='mmmtnas.BranchedNetwork', structure='all_separate', backbone=MNV2,
        context=RASPP))
    with torch.no_grad():
        for module in single.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
    path = tmp_path_factory.mktemp('single') / 'iter_1.pth'
    torch.save(dict(state_dict=single.state_dict(), meta=dict()), path)
    return single, str(path)


@pytest.fixture(scope='module')
def columns_from_single(single_checkpoint):
    """Cross-Stitch and NDDR models loaded from the Single checkpoint, every unit at identity
    (init_same=1; NDDR without activation): then they compute the Single network."""
    _, path = single_checkpoint
    return {kind: _model(type='mmmtnas.ColumnMultiTaskModel', single_task_checkpoints=path,
                         encoder=dict(type=f'mmmtnas.{kind}', backbone=MNV2, context=RASPP,
                                      init_same=1.0, **extra))
            for kind, extra in [('CrossStitchNetwork', {}), ('NDDRNetwork', dict(act_cfg=None))]}


@pytest.mark.parametrize('kind', ['CrossStitchNetwork', 'NDDRNetwork'])
def test_columns_from_the_single_checkpoint_reproduce_the_single_network(
        single_checkpoint, columns_from_single, kind):
    single, _ = single_checkpoint
    model = columns_from_single[kind]
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        expected, got = single(x, mode='tensor'), model(x, mode='tensor')
    for t in TASKS:
        block = model.encoder.columns[t]['blocks']['layer5__1'].conv[0].conv.weight
        assert torch.equal(block, single.encoder.blocks['layer5__1'][t].conv[0].conv.weight)
        assert torch.equal(model.heads[t].conv_seg.weight, single.heads[t].conv_seg.weight)
        # NDDR: each layer's BN (eval, at init) divides by sqrt(1 + eps), 8 times
        assert torch.allclose(got[t], expected[t], rtol=1e-3, atol=1e-5)


def test_a_missing_or_incomplete_single_task_checkpoint_is_named(
        single_checkpoint, columns_from_single, tmp_path):
    _, path = single_checkpoint
    model = columns_from_single['CrossStitchNetwork']
    model.single_task_checkpoints = dict(semseg=path, sal='nowhere.pth', normals=path)
    with pytest.raises(FileNotFoundError, match=r"task 'sal'.*nowhere\.pth.*Single baseline"):
        model.load_single_task_checkpoints()
    state = torch.load(path)['state_dict']
    other = tmp_path / 'no_sal.pth'
    torch.save({k: v for k, v in state.items() if '.sal.' not in k}, other)
    model.single_task_checkpoints = str(other)
    with pytest.raises(KeyError, match=r"no weights for .* of task 'sal'"):
        model.load_single_task_checkpoints()
    model.single_task_checkpoints = path
    with pytest.raises(KeyError, match=r"no checkpoint for tasks \['normals'\]"):
        MODELS.build(dict(type='mmmtnas.ColumnMultiTaskModel', heads=HEADS,
                          single_task_checkpoints=dict(semseg=path, sal=path),
                          encoder=dict(type='mmmtnas.CrossStitchNetwork', backbone=MNV2)))
