"""Draw a search's architecture weights as heatmaps: one panel per probability table.

DARTS: per searchable cell, edges x ops (softmax of alpha), with the PC-DARTS edge weights of
each node (nodes x inputs) beside it; BMTAS: per task, layers x copies (its routing
probabilities). The strongest candidate of every row is outlined. Drawn with matplotlib's
object API on the Agg canvas (no pyplot state, no display needed).
"""
import math
import os
import os.path as osp
import tempfile
from typing import Mapping, Optional, Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from mmmtnas.structures.choice_weights import ChoiceWeights

# Annotate every cell with its value while a panel stays readable.
_ANNOTATE_MAX_CELLS = 64


def _panel(ax, name: str, table: ChoiceWeights):
    probs = table.probs.numpy()
    image = ax.imshow(np.ma.masked_invalid(probs), cmap='viridis', vmin=0., vmax=1.,
                      aspect='auto', interpolation='nearest')
    ax.set_title(name, fontsize=9)
    ax.set_xticks(range(len(table.cols)))
    ax.set_xticklabels(table.cols, rotation=45, ha='right', fontsize=7)
    ax.set_yticks(range(len(table.rows)))
    ax.set_yticklabels(table.rows, fontsize=7)
    annotate = probs.size <= _ANNOTATE_MAX_CELLS
    for i, row in enumerate(probs):
        if np.all(np.isnan(row)):
            continue
        best = int(np.nanargmax(row))
        ax.add_patch(Rectangle((best - 0.5, i - 0.5), 1, 1, fill=False, edgecolor='red', lw=1.2))
        for j, value in enumerate(row):
            if annotate and not math.isnan(value):
                ax.text(j, i, f'{value:.2f}', ha='center', va='center', fontsize=6,
                        color='white' if value < 0.5 else 'black')
    return image


# Inches: a heatmap cell; the room for tick labels and titles between panels; the margins
# (left: row labels, right: the colour bar, top: the title, bottom: column labels).
_CELL_W, _CELL_H = 0.45, 0.25
_GAP_W, _GAP_H = 1.3, 1.3
_LEFT, _RIGHT, _TOP, _BOTTOM = 1.0, 1.1, 0.7, 1.0


def _layout(tables: Mapping[str, ChoiceWeights], ncols: int):
    """Panel names per grid row; widths (inches) of the panel columns, heights of the panel
    rows: each column as wide as its widest table, each row as tall as its tallest one."""
    names = list(tables)
    ncols = max(1, min(ncols, len(names)))
    grid = [names[r:r + ncols] for r in range(0, len(names), ncols)]
    widths = [max(1., _CELL_W * max(len(tables[row[c]].cols) for row in grid if c < len(row)))
              for c in range(ncols)]
    heights = [max(0.5, _CELL_H * max(len(tables[n].rows) for n in row)) for row in grid]
    return grid, widths, heights


def figure_size(tables: Mapping[str, ChoiceWeights], ncols: int = 2) -> Tuple[float, float]:
    """The figure size (inches) :func:`draw_architecture_weights` uses for ``tables``: the
    panels, the room between them and the margins."""
    _, widths, heights = _layout(tables, ncols)
    return (_LEFT + sum(widths) + _GAP_W * (len(widths) - 1) + _RIGHT,
            _TOP + sum(heights) + _GAP_H * (len(heights) - 1) + _BOTTOM)


def draw_architecture_weights(tables: Mapping[str, ChoiceWeights],
                              out_file: str,
                              title: Optional[str] = None,
                              ncols: int = 2,
                              dpi: int = 100) -> str:
    """Draw every table as a heatmap panel (rows x candidates, colour = probability).

    Args:
        tables (Mapping[str, ChoiceWeights]): What a search algorithm's
            ``architecture_weights()`` returns, by table name (the panel titles).
        out_file (str): Destination PNG, written atomically.
        title (str, optional): Figure title (e.g. the iteration).
        ncols (int): Panels per row; a DARTS cell's op weights and its PC-DARTS edge weights
            come in this order, so 2 puts them side by side. Defaults to 2.
        dpi (int): Resolution. Defaults to 100.

    Returns:
        str: ``out_file``.
    """
    if not tables:
        raise ValueError(f'{out_file}: no architecture-weight table to draw')
    grid, widths, heights = _layout(tables, ncols)
    width, height = figure_size(tables, ncols)
    # a fixed layout (no constrained layout: measuring every label several times made a
    # drawing take seconds)
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    spec = fig.add_gridspec(
        len(grid), len(widths), width_ratios=widths, height_ratios=heights,
        left=_LEFT / width, right=1 - _RIGHT / width, bottom=_BOTTOM / height,
        top=1 - _TOP / height, wspace=_GAP_W / (sum(widths) / len(widths)),
        hspace=_GAP_H / (sum(heights) / len(heights)))
    image = None
    for r, row in enumerate(grid):
        for c, name in enumerate(row):
            image = _panel(fig.add_subplot(spec[r, c]), name, tables[name])
    colour_bar = fig.add_axes([1 - 0.8 / width, _BOTTOM / height, 0.15 / width,
                               1 - (_TOP + _BOTTOM) / height])
    fig.colorbar(image, cax=colour_bar, label='probability')
    if title:
        fig.suptitle(title, fontsize=10, y=1 - 0.2 / height)
    fig.text(0.2 / width, 0.2 / height, 'red: the strongest candidate of each row', fontsize=7)
    directory = osp.dirname(osp.abspath(out_file))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.arch-weights-', suffix='.png', dir=directory)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=dpi, format='png')
        os.replace(tmp, out_file)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    return out_file
