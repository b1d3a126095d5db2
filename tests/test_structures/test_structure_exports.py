"""The two structures a search exports (GenotypeSet, BranchStructure) share one protocol:
validate, dump, load, draw, signature."""
import pytest
import torch

from mmmtnas.structures import BranchStructure, GenotypeSet
from mmmtnas.structures.genotype import CellGenotype, Genotype, GenotypeError

NORMAL = CellGenotype.create([[('sep_conv_3x3', 0), ('skip_connect', 1)],
                             [('skip_connect', 2), ('dil_conv_3x3', 0)]], concat=[2, 3])
SWAPPED = CellGenotype.create([[('skip_connect', 1), ('sep_conv_3x3', 0)],
                              [('dil_conv_3x3', 0), ('skip_connect', 2)]], concat=[2, 3])
REDUCE = CellGenotype.create([[('max_pool_3x3', 0), ('max_pool_3x3', 1)],
                             [('skip_connect', 2), ('max_pool_3x3', 1)]], concat=[2, 3])


def _genotypes(normal=NORMAL):
    return GenotypeSet.from_alphas(
        {'backbone': Genotype({'normal': normal, 'reduce': REDUCE}),
         'seg_head': Genotype({'normal': normal})},
        {'backbone.normal': torch.arange(6.).view(3, 2)}, step=7)


def _branches():
    return BranchStructure.from_routing(['seg', 'sal'], ['l0', 'l1'], [[0, 0], [0, 1]])


@pytest.mark.parametrize('make, name', [(_genotypes, 'genotype.yaml'),
                                        (_branches, 'branches.yaml')])
def test_dump_load_round_trip_keeps_the_signature_and_draws_a_picture(tmp_path, make, name):
    structure = make()
    assert structure.default_filename == name
    path = str(tmp_path / name)
    structure.validate(path)
    structure.dump(path)
    loaded = type(structure).load(path)
    assert loaded.signature() == structure.signature()
    picture = tmp_path / 'picture.png'
    structure.draw(str(picture), title='step 7')
    assert picture.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_genotype_signature_ignores_edge_order_but_not_ops():
    assert _genotypes(SWAPPED).signature() == _genotypes().signature()
    other = CellGenotype.create([[('sep_conv_5x5', 0), ('skip_connect', 1)],
                                [('skip_connect', 2), ('dil_conv_3x3', 0)]], concat=[2, 3])
    assert _genotypes(other).signature() != _genotypes().signature()


def test_genotype_set_counts_an_op_per_part_and_names_a_missing_part():
    genotypes = _genotypes()
    assert genotypes.count_op('skip_connect', 'normal') == dict(backbone=2, seg_head=2)
    assert genotypes.count_op('max_pool_3x3', 'reduce') == dict(backbone=3)
    with pytest.raises(KeyError, match=r"no searchable part\(s\) \['det_neck'\]"):
        genotypes.count_op('skip_connect', 'normal', parts=['det_neck'])


def test_genotype_set_with_non_finite_alphas_does_not_validate():
    genotypes = _genotypes()
    genotypes.alphas['backbone.normal'][1][0] = float('nan')
    with pytest.raises(GenotypeError, match=r"out.yaml: architecture parameter "
                       r"'backbone.normal' is not finite"):
        genotypes.validate('out.yaml')
