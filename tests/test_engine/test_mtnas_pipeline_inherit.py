"""InheritWeights, the pipeline's one weight transform: a derived network inherits the searched
cell ops, the branch alphas come from a genotype file, init.pth is written once."""
import torch
import torch.nn as nn

from mmmtnas.engine.runner import InheritWeights
from mmmtnas.engine.runner import stage_files as sf
from mmmtnas.models.nas import (DartsBackbone, SearchableDartsBackbone, derived_key_map,
                                inherit_supernet_weights)
from mmmtnas.structures.genotype import dump_genotype_file

OPS = ('none', 'skip_connect', 'max_pool_3x3', 'sep_conv_3x3')
LAYOUT = dict(op_names=OPS, num_nodes=2, multiplier=2, channels=4, num_cells=2,
              reduction_cells=(1, ), stem_multiplier=1)


class _Net(nn.Module):

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone


def _searched(tmp_path):
    """A searched backbone (non-trivial weights) saved as a search stage's checkpoint."""
    torch.manual_seed(0)
    supernet = SearchableDartsBackbone(arch_prefix='backbone', **LAYOUT)
    with torch.no_grad():
        for p in supernet.parameters():
            p.normal_()
    genotype = supernet.derive_genotype()
    path = str(tmp_path / 'search.pth')
    torch.save(dict(state_dict={f'supernet.backbone.{k}': v
                                for k, v in supernet.state_dict().items()}), path)
    cells_of = dict(type='Search', supernet=dict(backbone=dict(
        type='mmmtnas.SearchableDartsBackbone', **LAYOUT)))
    return supernet, genotype, path, cells_of


def test_every_key_fits_and_the_cell_weights_are_kept(tmp_path):
    supernet, genotype, ckpt, cells_of = _searched(tmp_path)
    layout = {k: v for k, v in LAYOUT.items() if k not in ('op_names', 'num_nodes', 'multiplier')}
    derived = _Net(DartsBackbone(genotype=genotype, affine=False, pool_bn=True, **layout))
    expected = DartsBackbone(genotype=genotype, affine=False, pool_bn=True, **layout)
    assert inherit_supernet_weights(expected, supernet) == []
    # select only what fits by name: with the cell ops mapped too, EVERY offered key fits
    same_name = [k for k, src in derived_key_map(derived.backbone, OPS).items() if k == src]
    source = dict(checkpoint=ckpt, include=[f'supernet.backbone.{k}' for k in same_name],
                  rename={'supernet.': ''}, cells_of=cells_of)
    path = str(tmp_path / 'init.pth')
    report = InheritWeights([source])(derived, path, where='stage finetune')
    assert report['dropped'] == 0 and report['cells'] > 0
    assert report['mapped'] == report['offered'] == len(derived.state_dict())
    init = sf.load_state_dict(path)
    assert len(init) == report['mapped']
    derived.load_state_dict(init)
    for key, value in expected.state_dict().items():
        torch.testing.assert_close(derived.backbone.state_dict()[key], value, msg=key)


def test_what_does_not_fit_is_dropped_and_counted(tmp_path):
    supernet, genotype, ckpt, cells_of = _searched(tmp_path)
    layout = {k: v for k, v in LAYOUT.items() if k not in ('op_names', 'num_nodes', 'multiplier')}
    derived = _Net(DartsBackbone(genotype=genotype, **layout))
    source = dict(checkpoint=ckpt, include=['supernet.'], rename={'supernet.': ''},
                  strict=False, cells_of=cells_of)
    report = InheritWeights([source])(derived, str(tmp_path / 'init.pth'))
    # the supernet's other candidate ops (and affine BN the search had not) do not fit
    assert report['dropped'] > 0 and report['cells'] > 0
    assert report['mapped'] + report['dropped'] == report['offered']
    assert len(sf.load_state_dict(str(tmp_path / 'init.pth'))) == report['mapped']


def test_architecture_values_come_from_a_genotype_file(tmp_path):
    supernet, genotype, _, _ = _searched(tmp_path)
    values = {name: torch.randn(p.shape) for name, p in supernet.arch_params.items()}
    path = dump_genotype_file(str(tmp_path / 'genotype.yaml'), {'backbone': genotype},
                              alphas=values)
    target = _Net(SearchableDartsBackbone(arch_prefix='backbone', **LAYOUT))
    report = InheritWeights([dict(genotype=path, include=['backbone.'])])(
        target, str(tmp_path / 'init.pth'))
    assert report['mapped'] == len(values) and report['dropped'] == 0
    target.load_state_dict(sf.load_state_dict(str(tmp_path / 'init.pth')), strict=False)
    for name, value in values.items():
        torch.testing.assert_close(target.backbone.arch_params[name].detach(), value)
