"""BranchedNetwork: a tree of plain blocks from a branch file; Shared / Single baselines;
shared-block learning rates; MAdds counted by mmengine."""
import pytest
import torch
import torch.nn as nn
from mmengine.registry import init_default_scope

from mmmtnas.models.branched.madds import count_madds
from mmmtnas.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmmtnas.structures import BranchFileError, BranchStructure, dump_branch_file
from mmmtnas.testing.toy_dense import make_stand_in_imagenet_checkpoint

TASKS = ['semseg', 'parts', 'sal']
MNV2 = dict(type='mmpretrain.MobileNetV2', widen_factor=0.25)
RASPP = dict(type='mmmtnas.EncoderRASPP', channels=8)
LAYERS = ['layer1.0', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer3.2', 'layer4.0',
          'layer4.1', 'layer4.2', 'layer4.3', 'layer5.0', 'layer5.1', 'layer5.2', 'layer6.0',
          'layer6.1', 'layer6.2', 'layer7.0', 'raspp']


def tree_routing():
    """semseg+sal share up to layer4.0, parts leaves after layer2.0, all separate from 5.0."""
    rows = []
    for i, _ in enumerate(LAYERS):
        if i < 2:
            rows.append([0, 0, 0])
        elif i < 7:
            rows.append([0, 1, 0])
        else:
            rows.append([0, 1, 2])
    return rows


def build(tmp_path=None, routing=None, tasks=TASKS, **kwargs):
    init_default_scope('mmmtnas')
    if routing is not None:
        path = str(tmp_path / 'branches.yaml')
        dump_branch_file(path, BranchStructure.from_routing(TASKS, LAYERS, routing))
        kwargs['branches'] = path
    torch.manual_seed(0)
    kwargs.setdefault('backbone', MNV2)
    net = MODELS.build(dict(type='mmmtnas.BranchedNetwork', tasks=tasks, context=RASPP,
                            **kwargs))
    net.init_weights()
    return net.eval()


def madds(module, *shape):
    return count_madds(module, torch.zeros(*shape))


def test_tree_has_one_block_per_group_and_each_runs_once(tmp_path):
    net = build(tmp_path, tree_routing())
    assert list(net.blocks['layer1__0']) == ['semseg+parts+sal']
    assert list(net.blocks['layer2__1']) == ['semseg+sal', 'parts']
    assert list(net.blocks['raspp']) == ['semseg', 'parts', 'sal']
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        out = net(x)
        # semseg and sal share everything up to layer4.0: the same tensor object at layer2.1
        assert out['semseg'][0] is out['sal'][0] and out['semseg'][0] is not out['parts'][0]
        assert out['sal'][1].shape == (2, 8, 4, 4)
        # parts' route, block by block, by hand
        feat = net.stem(x)
        for name in LAYERS:
            group = [g for g in net.groups[name] if 'parts' in g][0]
            feat = net.block(name, group)(feat)
        torch.testing.assert_close(out['parts'][1], feat)


def test_mmengine_madds_equal_stem_plus_groups_times_block_cost(tmp_path):
    """What is counted: mmengine FlopAnalyzer (1 multiply-add = 1, batch norm left out) over
    the whole encoder at 64x64; per layer, one block measured alone on its input, times the
    number of groups."""
    net = build(tmp_path, tree_routing())
    shared = build(structure='all_shared')
    shapes = {}
    feat = shared.stem(torch.zeros(1, 3, 64, 64))
    for name in LAYERS:
        shapes[name] = feat.shape
        feat = shared.block(name, TASKS)(feat)
    layer_cost = {name: madds(shared.block(name, TASKS), *shapes[name]) for name in LAYERS}
    stem = madds(shared.stem, 1, 3, 64, 64)
    by_hand = stem + sum(len(net.groups[name]) * layer_cost[name] for name in LAYERS)
    assert madds(net, 1, 3, 64, 64) == by_hand
    assert madds(shared, 1, 3, 64, 64) == stem + sum(layer_cost.values())
    separate = build(structure='all_separate')
    assert madds(separate, 1, 3, 64, 64) == stem + 3 * sum(layer_cost.values())


def test_single_baseline_gives_each_task_its_own_encoder():
    net = build(structure='all_separate')
    assert all(len(net.blocks[k]) == 3 for k in net.blocks)
    with torch.no_grad():
        out = net(torch.randn(1, 3, 64, 64))
    assert not torch.allclose(out['semseg'][1], out['parts'][1])


def test_imagenet_init_cfg_loads_every_copy_of_every_block_from_the_checkpoint(tmp_path):
    """Retraining from ImageNet (App. A): a 'Pretrained' init_cfg of the backbone (a checkpoint
    in MMPretrain's layout written here) is loaded into the stem and into each group's copy of
    every backbone block alike."""
    ckpt = make_stand_in_imagenet_checkpoint(str(tmp_path / 'imagenet.pth'), seed=2)
    state = torch.load(ckpt, weights_only=True)['state_dict']
    backbone = dict(MNV2, init_cfg=dict(type='Pretrained', checkpoint=ckpt, prefix='backbone.'))
    net = build(tmp_path, tree_routing(), backbone=backbone)
    for key, value in net.stem.state_dict().items():
        torch.testing.assert_close(value, state[f'backbone.{key}'], rtol=0, atol=0)
    copies = 0
    for name in LAYERS[:-1]:
        for group in net.groups[name]:
            for key, value in net.block(name, group).state_dict().items():
                torch.testing.assert_close(value, state[f'backbone.{name}.{key}'], rtol=0,
                                           atol=0)
            copies += 1
    assert copies == sum(len(net.groups[name]) for name in LAYERS[:-1]) > len(LAYERS) - 1


def test_subset_of_tasks_and_wrong_files_are_handled(tmp_path):
    net = build(tmp_path, tree_routing(), tasks=['parts', 'sal'])
    assert net.groups['layer1.0'] == [['parts', 'sal']]
    assert net.groups['layer2.1'] == [['parts'], ['sal']]
    with pytest.raises(BranchFileError, match='depth'):
        build(tmp_path, tree_routing(), tasks=['semseg', 'depth'])
    path = str(tmp_path / 'short.yaml')
    dump_branch_file(path, BranchStructure.all_shared(TASKS, LAYERS[:-1]))
    with pytest.raises(BranchFileError, match='has 17 layers'):
        build(branches=path)
    with pytest.raises(ValueError, match='exactly one of'):
        build()


def test_lr_of_a_block_is_divided_by_the_number_of_tasks_sharing_it(tmp_path):
    net = build(tmp_path, tree_routing())
    model = nn.ModuleDict(dict(encoder=net, head=nn.Conv2d(8, 2, 1)))
    lr_of = {}
    for paramwise in (None, dict(norm_decay_mult=0.)):
        cfg = dict(type='mmmtnas.SharedBlockLRConstructor',
                   optim_wrapper_cfg=dict(
                       optimizer=dict(type='SGD', lr=0.3, momentum=0.9, weight_decay=1e-4)))
        if paramwise:
            cfg['paramwise_cfg'] = paramwise
        optim = OPTIM_WRAPPER_CONSTRUCTORS.build(cfg)(model)
        lr_of = {id(p): g['lr'] for g in optim.optimizer.param_groups for p in g['params']}
        assert lr_of[id(net.stem.conv1.conv.weight)] == pytest.approx(0.1)
        assert lr_of[id(net.block('layer2.0', TASKS).conv[0].conv.weight)] == pytest.approx(0.1)
        assert lr_of[id(net.block('layer3.0', ['semseg', 'sal']).conv[0].conv.weight)] == \
            pytest.approx(0.15)
        assert lr_of[id(net.block('layer3.0', ['parts']).conv[0].conv.weight)] == \
            pytest.approx(0.3)
        assert lr_of[id(model['head'].weight)] == pytest.approx(0.3)
        assert len(lr_of) == len(list(model.parameters()))


def test_raspp_is_the_authors_bn_in_both_branches_and_dropout_before_the_projection():
    init_default_scope('mmmtnas')
    torch.manual_seed(0)
    raspp = MODELS.build(dict(type='mmmtnas.EncoderRASPP', in_channels=8, channels=4,
                              dropout_ratio=0.1))
    raspp.init_weights()
    assert isinstance(raspp.image_pool.conv.bn, nn.BatchNorm2d)
    assert isinstance(raspp.conv.bn, nn.BatchNorm2d) and raspp.out_channels == 4
    x = torch.randn(2, 8, 5, 5)
    with torch.no_grad():
        raspp.train()
        assert not torch.equal(raspp(x), raspp(x))  # dropout draws anew in training
        raspp.eval()
        torch.testing.assert_close(raspp(x), raspp(x))
        # eval: the projection of the concatenated branches, nothing dropped
        branches = torch.cat([raspp.conv(x), raspp.image_pool(x)], dim=1)
        torch.testing.assert_close(raspp(x), raspp.project(branches))
    with pytest.raises(ValueError, match='dropout_ratio'):
        MODELS.build(dict(type='mmmtnas.EncoderRASPP', in_channels=8, dropout_ratio=1.0))
