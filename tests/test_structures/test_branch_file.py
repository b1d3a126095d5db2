"""Branch files: readable round trip, the task tree, atomic writes and one-line errors."""
import os

import pytest

from mmmtnas.structures.branch_file import (BranchFileError, BranchStructure,
                                            dump_branch_file, load_branch_file)

TASKS = ['semseg', 'parts', 'sal']
LAYERS = ['layer1.0', 'layer2.0', 'layer2.1', 'raspp']
# semseg and sal share through layer2.0, parts leaves at layer2.0; sal leaves at layer2.1.
ROUTING = [[0, 0, 0], [1, 2, 1], [0, 1, 2], [2, 2, 2]]


def structure(**kwargs):
    probs = [[[1 / 3] * 3] * 3] * 4
    return BranchStructure.from_routing(TASKS, LAYERS, ROUTING, probabilities=probs,
                                        madds=dict(expected=1.5e6, derived=1.2e6),
                                        meta=dict(resource_weight=0.1), **kwargs)


@pytest.mark.parametrize('name', ['b.yaml', 'b.json'])
def test_round_trip_keeps_routing_by_task_and_layer_name(tmp_path, name):
    path = str(tmp_path / name)
    dump_branch_file(path, structure())
    loaded = load_branch_file(path)
    assert loaded.routing['parts'] == {'layer1.0': 0, 'layer2.0': 2, 'layer2.1': 1, 'raspp': 2}
    assert loaded.routing_matrix() == ROUTING
    assert loaded.madds['derived'] == 1.2e6 and loaded.probabilities['raspp']['sal'][0] == 1 / 3
    assert [f for f in os.listdir(tmp_path) if f != name] == []  # no temporary left behind


def test_groups_follow_shared_prefixes_not_equal_copy_labels():
    groups = structure().groups()
    assert groups['layer1.0'] == [TASKS]
    assert groups['layer2.0'] == [['semseg', 'sal'], ['parts']]
    assert groups['layer2.1'] == [['semseg'], ['parts'], ['sal']]
    # parts and sal take copy 2 at raspp but branched earlier: still separate
    assert groups['raspp'] == [['semseg'], ['parts'], ['sal']]


def test_file_is_readable_yaml_keyed_by_names(tmp_path):
    path = str(tmp_path / 'b.yaml')
    dump_branch_file(path, structure())
    text = open(path).read()
    assert 'format: mmmtnas-branches' in text
    assert 'semseg: {layer1.0: 0, layer2.0: 1, layer2.1: 0, raspp: 2}' in text


def test_restricting_to_some_tasks_keeps_their_tree(tmp_path):
    path = str(tmp_path / 'b.yaml')
    dump_branch_file(path, structure())
    sub = load_branch_file(path, tasks=['sal', 'parts'])
    assert sub.tasks == ['sal', 'parts']
    assert sub.groups()['layer1.0'] == [['sal', 'parts']]
    assert sub.groups()['layer2.0'] == [['sal'], ['parts']]
    assert all(0 <= c < 2 for row in sub.routing.values() for c in row.values())


def test_missing_file_and_malformed_yaml_are_one_line_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.yaml'):
        load_branch_file(str(tmp_path / 'nope.yaml'))
    bad = tmp_path / 'bad.yaml'
    bad.write_text('format: [unclosed\n')
    with pytest.raises(BranchFileError, match='bad.yaml: not valid YAML') as err:
        load_branch_file(str(bad))
    assert '\n' not in str(err.value)
    other = tmp_path / 'other.yaml'
    other.write_text('format: mmmtnas-genotype\nversion: 1\n')
    with pytest.raises(BranchFileError, match='not a branch file'):
        load_branch_file(str(other))


def test_unknown_task_and_wrong_layers_are_named(tmp_path):
    path = str(tmp_path / 'b.yaml')
    dump_branch_file(path, structure())
    with pytest.raises(BranchFileError, match=r"no routing for task\(s\) \['depth'\]"):
        load_branch_file(path, tasks=['semseg', 'depth'])
    with pytest.raises(BranchFileError,
                       match=r"has 4 layers, expected the 3 layers of the encoder "
                             r"\(unknown \['raspp'\]\)"):
        load_branch_file(path, layers=LAYERS[:3])
    swapped = [LAYERS[0], LAYERS[2], LAYERS[1], LAYERS[3]]
    with pytest.raises(BranchFileError, match=r"the encoder in the wrong order: position 1 is "
                                              r"'layer2.0' where the encoder has 'layer2.1'"):
        load_branch_file(path, layers=swapped)


def test_bad_copy_index_and_layer_count_in_file_are_named(tmp_path):
    path = tmp_path / 'b.yaml'
    dump_branch_file(str(path), structure())
    text = path.read_text()
    path.write_text(text.replace('semseg: {layer1.0: 0, layer2.0: 1', 'semseg: {layer1.0: 7, '
                                 'layer2.0: 1'))
    with pytest.raises(BranchFileError, match=r'routing.semseg.layer1.0 = 7 is not a copy'):
        load_branch_file(str(path))
    path.write_text(text.replace('semseg: {layer1.0: 0, ', 'semseg: {'))
    with pytest.raises(BranchFileError, match='routing.semseg has 3 layers, expected the 4'):
        load_branch_file(str(path))
    # Same layers, two swapped: the message says the order is wrong and where, not that
    # the count differs with nothing unknown or missing.
    path.write_text(text.replace('semseg: {layer1.0: 0, layer2.0: 1,',
                                 'semseg: {layer2.0: 1, layer1.0: 0,'))
    with pytest.raises(BranchFileError) as err:
        load_branch_file(str(path))
    assert str(err.value) == (f"{path}: routing.semseg has the layers of `layers` in the wrong "
                              "order: position 0 is 'layer2.0' where `layers` has 'layer1.0'")
    path.write_text(text.replace('  semseg: {', '  depth: {', 1))
    with pytest.raises(BranchFileError, match=r"unknown task\(s\) \['depth'\]"):
        load_branch_file(str(path))


def test_invalid_structure_is_not_written_and_old_file_survives(tmp_path):
    path = str(tmp_path / 'b.yaml')
    dump_branch_file(path, structure())
    before = open(path).read()
    broken = structure()
    broken.routing['sal']['raspp'] = 5
    with pytest.raises(BranchFileError):
        dump_branch_file(path, broken)
    assert open(path).read() == before


def test_baseline_structures():
    shared = BranchStructure.all_shared(TASKS, LAYERS).groups()
    separate = BranchStructure.all_separate(TASKS, LAYERS).groups()
    assert all(len(g) == 1 for g in shared.values())
    assert all(len(g) == 3 for g in separate.values())
