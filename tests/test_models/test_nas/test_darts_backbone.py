import pytest
import torch
import torch.nn as nn

from mmmtnas.models.nas import (DartsBackbone, MixedEdge, SearchableDartsBackbone,
                                bind_architecture, derive_genotypes, inherit_supernet_weights)
from mmmtnas.models.nas.cells import edge_offsets
from mmmtnas.models.nas.darts_genotypes import DARTS_V2
from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import dump_genotype_file


class _CifarNet(nn.Module):
    """DARTS NetworkCIFAR without auxiliary head: backbone + global pool + linear."""

    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Linear(backbone.out_channels[-1], 10)

    def forward(self, x):
        return self.classifier(self.backbone(x)[-1].mean((2, 3)))


def test_darts_v2_cifar10_network_has_the_published_parameter_count():
    net = _CifarNet(DartsBackbone(genotype=DARTS_V2, channels=36, num_cells=20))
    count = sum(p.numel() for p in net.parameters())
    # DARTS paper: 3.3 M; reference implementation without auxiliary head: 3,349,342
    assert abs(count - 3_349_342) / 3_349_342 < 0.01
    assert count == 3_349_342
    assert net(torch.randn(1, 3, 32, 32)).shape == (1, 10)


def test_derived_backbone_has_no_architecture_parameters_or_mixed_ops():
    net = DartsBackbone(genotype=DARTS_V2, channels=8, num_cells=3)
    assert not hasattr(net, 'arch_params')
    assert not any(isinstance(m, MixedEdge) for m in net.modules())
    assert not any('arch' in n for n, _ in net.named_parameters())


def _one_hot_alphas(supernet, genotype):
    """Alphas whose softmax is exactly one-hot on the genotype's op for kept edges and on
    `none` for dropped edges."""
    ops = list(supernet.op_names)
    with torch.no_grad():
        for key in supernet.search_keys:
            alpha = supernet.arch_param(key)
            alpha.fill_(-1e4)
            alpha[:, ops.index('none')] = 0.
            for n, (node, offset) in enumerate(zip(genotype[key].nodes, edge_offsets(4))):
                for op, idx in node:
                    alpha[offset + idx].fill_(-1e4)
                    alpha[offset + idx, ops.index(op)] = 0.


def test_derived_backbone_reproduces_supernet_with_one_hot_alphas():
    torch.manual_seed(0)
    kwargs = dict(channels=8, num_cells=4, reduction_cells=(1, 3), out_indices=(0, 2, 3))
    supernet = SearchableDartsBackbone(**kwargs)
    supernet.train()
    for _ in range(3):  # non-trivial BN running statistics
        supernet(torch.randn(4, 3, 16, 16))
    _one_hot_alphas(supernet, DARTS_V2)
    assert supernet.derive_genotype().same_structure(DARTS_V2)

    derived = DartsBackbone(genotype=DARTS_V2, affine=False, pool_bn=True, **kwargs)
    assert inherit_supernet_weights(derived, supernet) == []
    supernet.eval()
    derived.eval()
    x = torch.randn(2, 3, 16, 16)
    with torch.no_grad():
        outs_s, outs_d = supernet(x), derived(x)
    assert [o.shape for o in outs_s] == [o.shape for o in outs_d]
    for a, b in zip(outs_s, outs_d):
        assert torch.allclose(a, b, atol=1e-5), (a - b).abs().max()

    # control: without the one-hot alphas the two networks differ
    with torch.no_grad():
        supernet.arch_param('normal').normal_()
        assert not torch.allclose(supernet(x)[-1], outs_d[-1], atol=1e-3)


def test_affine_derived_backbone_inherits_all_but_bn_scale_and_shift():
    supernet = SearchableDartsBackbone(channels=8, num_cells=3)
    derived = DartsBackbone(genotype=DARTS_V2, channels=8, num_cells=3)
    untouched = inherit_supernet_weights(derived, supernet)
    assert untouched and all(k.startswith('cells.') and k.endswith(('.weight', '.bias'))
                             for k in untouched)


def test_out_indices_give_multiscale_features_with_declared_channels():
    net = SearchableDartsBackbone(channels=4, num_cells=6, stem_type='imagenet',
                                  out_indices=(1, 3, 5))
    outs = net(torch.randn(1, 3, 64, 64))
    assert [o.shape[1] for o in outs] == net.out_channels == [16, 32, 64]
    # imagenet stem: cells start at stride 8; reductions at cells 2 and 4
    assert [o.shape[-1] for o in outs] == [8, 4, 2]


def test_pc_darts_backbone_sends_gradients_to_alphas_and_edge_betas():
    net = SearchableDartsBackbone(channels=8, num_cells=3, partial_k=4)
    assert net.arch_params.names() == ['backbone.normal', 'backbone.normal.edges',
                                       'backbone.reduce', 'backbone.reduce.edges']
    net(torch.randn(2, 3, 16, 16))[-1].sum().backward()
    for name, p in net.arch_params:
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_unshared_cells_have_one_architecture_each():
    net = SearchableDartsBackbone(channels=4, num_cells=3, share_cells=False)
    assert net.arch_params.names() == ['backbone.cell0', 'backbone.cell1', 'backbone.cell2']
    geno = net.derive_genotype()
    assert sorted(geno.cells) == ['cell0', 'cell1', 'cell2']
    derived = DartsBackbone(genotype=geno, channels=4, num_cells=3, share_cells=False)
    assert derived(torch.randn(1, 3, 8, 8))[-1].shape == (1, 64, 2, 2)


def test_backbone_built_from_config_with_a_genotype_file(tmp_path):
    class _Model(nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = SearchableDartsBackbone(channels=4, num_cells=3)

    model = _Model()
    bind_architecture(model)
    genotypes = derive_genotypes(model)
    assert list(genotypes) == ['backbone']
    path = dump_genotype_file(str(tmp_path / 'genotype.yaml'), genotypes,
                              alphas=model.arch_params.values_dict(), step=7)
    net = MODELS.build(dict(type='mmmtnas.DartsBackbone', genotype=path, channels=4,
                            num_cells=3))
    assert net.genotype == genotypes['backbone']
    with pytest.raises(ValueError, match="missing part 'seg_head'"):
        DartsBackbone(genotype=path, part='seg_head')
