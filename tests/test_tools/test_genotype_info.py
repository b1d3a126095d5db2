"""tools/analysis_tools/genotype_info.py: the channels and strides it prints are those of the
built backbone's outputs, whatever the genotype's concat length, and its snippets build and run
in stock mmdet / mmseg configs; swapping in a genotype with other channels then fails at build
time, naming them."""
import contextlib
import io
import os.path as osp
import re
import sys

import pytest
import torch
from mmengine.config import Config

from mmmtnas.models.nas import DartsBackbone
from mmmtnas.models.nas.darts_genotypes import DARTS_V2
from mmmtnas.structures.genotype import CellGenotype, Genotype, dump_genotype_file
from repo_paths import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis_tools'))
from genotype_info import main  # noqa: E402

# 4 cells, reductions at 1 and 2 (DARTS's N // 3, 2N // 3): the levels at strides 8, 16, 32 end
# with cells 0 (normal), 1 (reduce) and 3 (normal), so both cell types' concat counts
LAYOUT = dict(channels=8, num_cells=4, stem_type='imagenet')
ARGS = ['--channels', '8', '--num-cells', '4', '--stem-type', 'imagenet', '--shape', '32', '32']
SIZE = 32

# 3 concatenated nodes in the normal cell, 2 in the reduction cell (DARTS-V2 has 4 and 4)
CONCAT_3 = Genotype(dict(
    normal=CellGenotype.create(DARTS_V2['normal'].to_dict()['nodes'], [3, 4, 5]),
    reduce=CellGenotype.create(DARTS_V2['reduce'].to_dict()['nodes'], [4, 5])))


@pytest.fixture(scope='module')
def genotype_files(tmp_path_factory):
    root = tmp_path_factory.mktemp('genotypes')
    return {name: dump_genotype_file(str(root / f'{name}.yaml'), dict(backbone=genotype))
            for name, genotype in (('darts_v2', DARTS_V2), ('concat_3', CONCAT_3))}


@pytest.fixture(scope='module')
def printed(genotype_files):
    """What the tool prints for each genotype."""
    out = {}
    for name, path in genotype_files.items():
        stdout = io.StringIO()  # capsys is per test; the tool runs once per module
        with contextlib.redirect_stdout(stdout):
            main([path, *ARGS])
        out[name] = stdout.getvalue()
    return out


def _levels(text):
    m = re.search(r'out_indices \(([\d, ]+)\): channels \[([\d, ]+)\], strides \[([\d, ]+)\]',
                  text)
    return [[int(v) for v in group.split(',') if v.strip()] for group in m.groups()]


def _snippet(text, which):
    """The printed snippet for 'mmdet' or 'mmseg' (between the tool's marker lines)."""
    blocks = re.split(r'^# ---- (mmdet|mmseg) .*$', text, flags=re.M)
    return blocks[blocks.index(which) + 1]


@pytest.mark.parametrize('name, channels', [('darts_v2', [32, 64, 128]),
                                            ('concat_3', [24, 32, 96])])
def test_printed_channels_and_strides_are_the_built_backbones_outputs(
        printed, genotype_files, name, channels):
    out_indices, printed_channels, strides = _levels(printed[name])
    backbone = DartsBackbone(genotype_files[name], out_indices=out_indices, **LAYOUT).eval()
    with torch.no_grad():
        outs = backbone(torch.zeros(1, 3, SIZE, SIZE))
    assert printed_channels == [o.shape[1] for o in outs]
    assert strides == [SIZE // o.shape[-1] for o in outs] == [8, 16, 32]
    assert printed_channels == channels  # len(concat) x C x 2^k
    assert out_indices == [0, 1, 3]  # the last cell of each level
    text = printed[name]
    assert 'GMACs' in text and 'GFLOPs' in text and 'M params' in text


def test_mmdet_snippet_builds_and_runs_in_stock_retinanet(printed, genotype_files, tmp_path):
    """The other concat length's snippet (DARTS-V2's channels are the projects' own, trained in
    tests/test_projects); then DARTS-V2 swapped in stops at build, naming both channels."""
    from mmdet.registry import MODELS
    cfg_file = tmp_path / 'retinanet_darts.py'
    cfg_file.write_text("_base_ = 'mmdet::retinanet/retinanet_r50_fpn_1x_coco.py'\n"
                        + _snippet(printed['concat_3'], 'mmdet'))
    cfg = Config.fromfile(str(cfg_file))
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        cls_scores, _ = model(torch.zeros(1, 3, SIZE, SIZE), mode='tensor')
    # P3..P7 of the stock FPN / head, at strides 8..128
    assert [s.shape[-1] for s in cls_scores] == [4, 2, 1, 1, 1]

    cfg.model.backbone.genotype = genotype_files['darts_v2']
    with pytest.raises(ValueError, match=re.escape(
            'gives out channels [32, 64, 128] at out_indices [0, 1, 3]') + '.*' + re.escape(
            'expected_out_channels=[24, 32, 96]')):
        MODELS.build(cfg.model)


def test_mmseg_snippet_builds_and_runs_in_stock_fcn(printed, tmp_path):
    from mmseg.registry import MODELS
    cfg_file = tmp_path / 'fcn_darts.py'
    cfg_file.write_text("_base_ = 'mmseg::fcn/fcn_r50-d8_4xb2-40k_cityscapes-512x1024.py'\n"
                        + _snippet(printed['concat_3'], 'mmseg'))
    model = MODELS.build(Config.fromfile(str(cfg_file)).model).eval()
    with torch.no_grad():
        logits = model(torch.zeros(1, 3, SIZE, SIZE), mode='tensor')
    assert logits.shape[:2] == (1, 19)


def test_reduction_cell_concatenating_an_input_node_is_named(tmp_path):
    bad = Genotype(dict(normal=DARTS_V2['normal'], reduce=CellGenotype.create(
        DARTS_V2['reduce'].to_dict()['nodes'], [1, 2, 3])))
    path = dump_genotype_file(str(tmp_path / 'bad.yaml'), dict(backbone=bad))
    with pytest.raises(ValueError, match=r"cell 'reduce'.*input nodes \[1\]"):
        DartsBackbone(path, **LAYOUT)


def test_config_without_darts_backbone_is_named(genotype_files):
    config = osp.join(REPO_ROOT, 'configs', 'mtl_baseline', 'r18_fpn_ssd_fcn_toy.py')
    with pytest.raises(ValueError, match="'mmdet.ResNet', not a mmmtnas.DartsBackbone"):
        main([genotype_files['darts_v2'], '--config', config])
