import numpy as np
from PIL import Image

from mmmtnas.structures.genotype import CellGenotype, Genotype
from mmmtnas.visualization.cell_graph import draw_genotype

CELL = CellGenotype.from_darts(
    [('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
     ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)],
    [2, 3, 4, 5])


def test_draw_genotype_writes_a_non_trivial_png(tmp_path):
    path = str(tmp_path / 'genotype.png')
    draw_genotype({'backbone': Genotype({'normal': CELL, 'reduce': CELL}),
                   'seg_head': Genotype({'normal': CELL})}, path, title='step 3')
    img = np.asarray(Image.open(path).convert('RGB'))
    assert img.shape[0] > 300 and img.shape[1] > 600
    # coloured edges and nodes drawn, not a blank canvas
    assert len(np.unique(img.reshape(-1, 3), axis=0)) > 50
    assert (img < 200).any(axis=2).mean() > 0.01


def test_single_part_svg(tmp_path):
    path = str(tmp_path / 'cell.svg')
    draw_genotype(Genotype({'normal': CELL}), path)
    text = open(path).read()
    assert text.lstrip().startswith('<?xml') and 'sep_conv_3x3' in text
