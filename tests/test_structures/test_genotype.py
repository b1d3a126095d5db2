import json
import os

import pytest
import torch
import yaml

from mmmtnas.structures.genotype import (CellGenotype, Genotype, GenotypeError,
                                         dump_genotype_file, load_genotype,
                                         load_genotype_file)

NORMAL = CellGenotype.from_darts(
    [('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
     ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)],
    [2, 3, 4, 5])
REDUCE = CellGenotype.from_darts(
    [('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
     ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)],
    [2, 3, 4, 5])
GENOS = {'backbone': Genotype({'normal': NORMAL, 'reduce': REDUCE}),
         'seg_head': Genotype({'normal': NORMAL})}


@pytest.mark.parametrize('suffix', ['yaml', 'json'])
def test_round_trip_keeps_genotypes_alphas_and_step(tmp_path, suffix):
    path = str(tmp_path / f'genotype.{suffix}')
    alphas = {'backbone.normal': torch.arange(6.).view(3, 2)}
    dump_genotype_file(path, GENOS, alphas=alphas, step=42)
    loaded = load_genotype_file(path, parts=['backbone', 'seg_head'], num_nodes=4)
    assert loaded == GENOS
    raw = json.load(open(path)) if suffix == 'json' else yaml.safe_load(open(path))
    assert raw['step'] == 42
    assert raw['alphas']['backbone.normal'] == [[0., 1.], [2., 3.], [4., 5.]]
    assert raw['parts']['backbone']['cells']['normal']['nodes'][0] == [['sep_conv_3x3', 0],
                                                                       ['sep_conv_3x3', 1]]


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = str(tmp_path / 'g.yaml')
    dump_genotype_file(path, GENOS, step=1)
    before = open(path).read()

    def failing_replace(src, dst):
        raise OSError('disk full')

    monkeypatch.setattr(os, 'replace', failing_replace)
    with pytest.raises(OSError):
        dump_genotype_file(path, {'backbone': GENOS['backbone']}, step=2)
    assert open(path).read() == before  # old file intact
    assert sorted(os.listdir(tmp_path)) == ['g.yaml']


def _write(tmp_path, mutate):
    path = str(tmp_path / 'g.yaml')
    dump_genotype_file(path, GENOS)
    data = yaml.safe_load(open(path))
    mutate(data)
    with open(path, 'w') as f:
        yaml.safe_dump(data, f)
    return path


def _set_op(data):
    data['parts']['backbone']['cells']['normal']['nodes'][1][0][0] = 'sep_conv_9x9'


def _drop_node(data):
    data['parts']['seg_head']['cells']['normal']['nodes'].pop()


def _bad_input(data):
    data['parts']['backbone']['cells']['reduce']['nodes'][0][1][1] = 2


@pytest.mark.parametrize('mutate, kwargs, pattern', [
    (_set_op, {}, r"part 'backbone' cell 'normal' node 3: unknown op 'sep_conv_9x9'"),
    (_drop_node, dict(num_nodes=4),
     r"part 'seg_head' cell 'normal': has 3 intermediate nodes, expected 4"),
    (_bad_input, {}, r"part 'backbone' cell 'reduce' node 2: input 2 is not an earlier node"),
    (lambda d: None, dict(parts=['det_neck']), r"missing part 'det_neck'"),
    (lambda d: d.pop('format'), {}, r'not a genotype file'),
])
def test_invalid_files_raise_one_line_errors_naming_the_problem(tmp_path, mutate, kwargs,
                                                                pattern):
    path = _write(tmp_path, mutate)
    with pytest.raises(GenotypeError, match=pattern) as info:
        load_genotype_file(path, **kwargs)
    assert '\n' not in str(info.value) and path in str(info.value)


def test_missing_file_and_broken_yaml(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.yaml'):
        load_genotype_file(str(tmp_path / 'nope.yaml'))
    bad = tmp_path / 'bad.yaml'
    bad.write_text('parts: [unclosed\n')
    with pytest.raises(GenotypeError, match='not valid YAML'):
        load_genotype_file(str(bad))


@pytest.mark.parametrize('suffix', ['.yaml', '.json'])
def test_binary_file_is_one_line_error_naming_it(tmp_path, suffix):
    path = tmp_path / f'genotype{suffix}'
    path.write_bytes(bytes(range(128, 256)) * 4)  # not UTF-8: a checkpoint passed by mistake
    with pytest.raises(GenotypeError) as err:
        load_genotype_file(str(path))
    assert str(err.value).startswith(f'{path}: not a genotype file: not UTF-8 text (byte 0x80 '
                                      'at offset 0)')
    assert '\n' not in str(err.value)


def test_inline_genotypes_are_validated_too():
    assert load_genotype(GENOS['seg_head'].to_dict(), 'seg_head') == GENOS['seg_head']
    with pytest.raises(GenotypeError, match="missing cell 'reduce'"):
        load_genotype(GENOS['seg_head'], 'seg_head', cells=['normal', 'reduce'])


def test_count_op_and_canonical_form():
    assert GENOS['backbone'].count_op('skip_connect', cell='normal') == 2
    swapped = CellGenotype(((NORMAL.nodes[0][1], NORMAL.nodes[0][0]), ) + NORMAL.nodes[1:],
                           NORMAL.concat)
    assert Genotype({'normal': swapped}) != GENOS['seg_head']
    assert Genotype({'normal': swapped}).same_structure(GENOS['seg_head'])
