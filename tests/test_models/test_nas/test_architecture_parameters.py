import copy

import pytest
import torch
import torch.nn as nn

from mmmtnas.models.nas import ArchitectureParameters, SearchablePart, bind_architecture


class _Part(SearchablePart, nn.Module):
    default_arch_prefix = 'part'

    def __init__(self, arch_prefix=None, arch_names=None):
        nn.Module.__init__(self)
        self.conv = nn.Conv2d(1, 1, 1)
        self.init_architecture({'normal': (3, 2), 'normal.edges': (3, )},
                               arch_prefix=arch_prefix, arch_names=arch_names)

    def forward(self, x):
        return self.conv(x) * self.arch_param('normal').softmax(-1)[0, 0]


class _Model(nn.Module):

    def __init__(self, **kw):
        super().__init__()
        self.backbone = _Part()
        self.head = _Part(**kw)


def test_same_name_returns_same_parameter_and_shape_mismatch_is_an_error():
    owner = ArchitectureParameters()
    a = owner.register('backbone.normal', (14, 8))
    assert owner.register('backbone.normal', (14, 8)) is a
    with pytest.raises(ValueError, match='backbone.normal'):
        owner.register('backbone.normal', (14, 7))
    assert owner.names() == ['backbone.normal']
    assert [n for n, _ in owner] == ['backbone.normal']
    assert 'arch_params' not in owner.state_dict() and 'backbone__normal' in owner.state_dict()


def test_invalid_names_are_rejected():
    owner = ArchitectureParameters()
    for bad in ['a__b', '', '.a', 'a.', '1a', 'a b']:
        with pytest.raises(ValueError):
            owner.register(bad, (1, ))


def test_lone_part_is_its_own_supernet():
    part = _Part()
    assert part.arch_params.names() == ['part.normal', 'part.normal.edges']
    names = [n for n, _ in part.named_parameters()]
    assert 'arch_params.part__normal' in names


def test_binding_registers_each_parameter_once_under_arch_params():
    torch.manual_seed(0)
    model = _Model()
    before = model.head.arch_params['part.normal'].detach().clone()
    owner = bind_architecture(model)
    assert owner is model.arch_params
    assert owner.names() == ['backbone.normal', 'backbone.normal.edges', 'head.normal',
                             'head.normal.edges']
    names = [n for n, _ in model.named_parameters()]
    assert sorted(n for n in names if 'arch' in n) == sorted(
        f'arch_params.{k}' for k in ['backbone__normal', 'backbone__normal__edges',
                                     'head__normal', 'head__normal__edges'])
    assert len(names) == len(set(names)) == 8  # 2 convs x 2 + 4 arch params
    assert set(model.state_dict()) == set(names)
    # values kept (same seed => same alphas bound or not) and forward reads the owner's
    assert torch.equal(owner['head.normal'], before)
    assert model.head.arch_param('normal') is owner['head.normal']
    assert bind_architecture(model) is owner and len(owner) == 4  # idempotent


def test_explicit_sharing_between_parts_and_deepcopy_keeps_binding():
    model = _Model(arch_names={'normal': 'backbone.normal'})
    owner = bind_architecture(model)
    assert owner.names() == ['backbone.normal', 'backbone.normal.edges', 'head.normal.edges']
    assert model.head.arch_param('normal') is model.backbone.arch_param('normal')
    clone = copy.deepcopy(model)
    assert clone.head.arch_owner is clone.arch_params is not owner
    x = torch.ones(1, 1, 2, 2)
    clone.head(x).sum().backward()
    assert clone.arch_params['backbone.normal'].grad is not None
    assert owner['backbone.normal'].grad is None


def test_unknown_override_key_is_an_error():
    with pytest.raises(KeyError, match='reduce'):
        _Part(arch_names={'reduce': 'x.reduce'})
