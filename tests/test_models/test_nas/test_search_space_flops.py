"""tools/analysis_tools/search_space_flops.py: the FLOPs range of a pipeline's search space."""
import os.path as osp
import runpy
import sys

import pytest

from mmmtnas.structures.genotype import CellGenotype, Genotype, dump_genotype_file

REPO = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'search_space_flops.py')
TOY = osp.join(REPO, 'configs', 'mtnas', 'ssd_fcn_toy.py')
sys.path.insert(0, osp.dirname(TOOL))
from search_space_flops import main  # noqa: E402

PARAMETER_FREE = {'skip_connect', 'max_pool_3x3', 'avg_pool_3x3'}


def _toy_genotype_file(path):
    """Two-node cells (the toy space's): the first two nodes of DARTS-V2's cells."""
    normal = CellGenotype.create([[('sep_conv_3x3', 0), ('sep_conv_3x3', 1)],
                                  [('sep_conv_3x3', 0), ('sep_conv_3x3', 1)]], [2, 3])
    reduce = CellGenotype.create([[('max_pool_3x3', 0), ('max_pool_3x3', 1)],
                                  [('skip_connect', 2), ('max_pool_3x3', 1)]], [2, 3])
    genotype = Genotype(dict(normal=normal, reduce=reduce))
    return dump_genotype_file(str(path), dict(backbone=genotype, det_neck=genotype,
                                              seg_head=Genotype(dict(normal=normal))))


def test_toy_space_range_orders_cheapest_typical_dearest(tmp_path, capsys):
    with pytest.raises(ValueError, match='--typical'):  # DARTS-V2 has 4 nodes, the toy 2
        main([TOY])
    result = main([TOY, '--typical', _toy_genotype_file(tmp_path / 'g.yaml'), '--json',
                   str(tmp_path / 'out.json')])
    rows = {k: v['total'] for k, v in result['rows'].items()}
    assert rows['cheapest']['flops'] < rows['typical']['flops'] < rows['dearest']['flops']
    assert all(r['flops'] == 2 * r['macs'] for r in rows.values())  # GFLOPs = 2 x GMACs
    assert result['input_shape'] == [128, 256] and result['stage'] == 'test'
    assert set(result['ops']['cheapest']) <= PARAMETER_FREE
    assert result['ops']['dearest'] == ['sep_conv_5x5']
    # the cheapest cells hold no op weights: only stems, cell inputs' 1x1 convs and heads differ
    assert rows['cheapest']['params'] < rows['typical']['params']
    out = capsys.readouterr().out
    assert 'GMACs' in out and 'GFLOPs' in out and osp.isfile(tmp_path / 'out.json')


def test_bad_config_path_is_one_error_line(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(sys, 'argv', ['search_space_flops.py', str(tmp_path / 'nope.py')])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(TOOL, run_name='__main__')
    assert exit_info.value.code == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[-2] == f'error: FileNotFoundError: config file not found: {tmp_path}/nope.py'
