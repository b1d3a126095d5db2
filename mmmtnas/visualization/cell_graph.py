"""Draw searched DARTS cells as graphs (matplotlib only; no graphviz binary needed).

Each cell is drawn left to right: the two input nodes ``c[k-2]`` and ``c[k-1]``, the
intermediate nodes ``0..n-1`` in a staggered column layout, and the output ``c[k]``. Every kept
edge is an arrow labelled with its op; grey arrows join the concatenated nodes to the output.
"""
import os
import os.path as osp
import tempfile
from typing import Dict, Mapping, Optional, Tuple, Union

import matplotlib

matplotlib.use('Agg')  # headless: pictures are written to files during training
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402

from mmmtnas.structures.genotype import CellGenotype, Genotype  # noqa: E402

_OP_COLOURS = {
    'skip_connect': '#7f7f7f', 'max_pool_3x3': '#1f77b4', 'avg_pool_3x3': '#17becf',
    'sep_conv_3x3': '#d62728', 'sep_conv_5x5': '#ff7f0e', 'dil_conv_3x3': '#2ca02c',
    'dil_conv_5x5': '#9467bd'
}


def _node_positions(num_nodes: int) -> Dict[int, Tuple[float, float]]:
    pos = {0: (0.0, 1.2), 1: (0.0, -1.2)}
    for i in range(num_nodes):
        pos[i + 2] = (2.4 + i * 2.0, 1.8 if i % 2 == 0 else -1.8)
    pos[-1] = (2.4 + num_nodes * 2.0 + 0.6, 0.0)
    return pos


def _node_label(index: int) -> str:
    return {0: 'c[k-2]', 1: 'c[k-1]', -1: 'c[k]'}.get(index, str(index - 2))


def draw_cell(cell: CellGenotype, ax: Axes, title: Optional[str] = None) -> None:
    """Draw one cell genotype on a matplotlib axis.

    Args:
        cell (CellGenotype): The cell.
        ax (Axes): Target axis.
        title (str, optional): Axis title.
    """
    pos = _node_positions(cell.num_nodes)

    def arrow(src, dst, colour, label=None, rad=0.0):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        ax.annotate('', xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle='-|>', color=colour, lw=1.6, shrinkA=16,
                                    shrinkB=16, connectionstyle=f'arc3,rad={rad}'))
        if label:
            # 40% along the edge: labels of edges into one node do not pile up at its centre
            xm, ym = x0 + 0.4 * (x1 - x0), y0 + 0.4 * (y1 - y0) + rad * 0.8
            ax.text(xm, ym, label, fontsize=7, color=colour, ha='center', va='center',
                    bbox=dict(boxstyle='round,pad=0.15', fc='white', ec='none', alpha=0.85))

    for i, node in enumerate(cell.nodes):
        for t, (op, src) in enumerate(node):
            arrow(src, i + 2, _OP_COLOURS.get(op, 'black'), op, rad=0.15 if t else -0.15)
    for i in cell.concat:
        arrow(i, -1, '#bbbbbb')
    for index, (x, y) in pos.items():
        is_io = index in (0, 1, -1)
        ax.add_patch(plt.Circle((x, y), 0.36, fc='#a6d8f0' if is_io else '#fff2a8',
                                ec='black', lw=1.0, zorder=3))
        ax.text(x, y, _node_label(index), ha='center', va='center', fontsize=7 if is_io else 9,
                zorder=4)
    xs = [p[0] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
    ax.set_ylim(-2.5, 2.5)
    ax.set_aspect('equal')
    ax.axis('off')
    if title:
        ax.set_title(title, fontsize=10)


def draw_genotype(genotype: Union[Genotype, Mapping[str, Genotype]],
                  path: str,
                  title: Optional[str] = None,
                  dpi: int = 120) -> str:
    """Draw every cell of a genotype (or of several parts, one row each) to an image file.

    Args:
        genotype (Genotype | Mapping[str, Genotype]): One part's genotype, or part -> genotype
            (as in a genotype file).
        path (str): Output file; the format follows the suffix (``.png``, ``.svg``, ...).
        title (str, optional): Figure title (e.g. the search step).
        dpi (int): Resolution of raster formats. Defaults to 120.

    Returns:
        str: ``path``.
    """
    parts = {'': genotype} if isinstance(genotype, Genotype) else dict(genotype)
    if not parts:
        raise ValueError('draw_genotype: nothing to draw (no part)')
    rows = len(parts)
    cols = max(len(g.cells) for g in parts.values())
    width = max(c.num_nodes for g in parts.values() for c in g.cells.values())
    fig, axes = plt.subplots(rows, cols, figsize=(cols * (2.5 + 1.6 * width), rows * 3.6),
                             squeeze=False)
    try:
        for r, (part, geno) in enumerate(parts.items()):
            for c in range(cols):
                ax = axes[r][c]
                if c >= len(geno.cells):
                    ax.axis('off')
                    continue
                key = list(geno.cells)[c]
                draw_cell(geno.cells[key], ax, f'{part} {key}'.strip())
        if title:
            fig.suptitle(title)
        fig.tight_layout()
        directory = osp.dirname(osp.abspath(path))
        os.makedirs(directory, exist_ok=True)
        suffix = osp.splitext(path)[1] or '.png'
        # atomic, like the genotype file it sits beside
        fd, tmp = tempfile.mkstemp(prefix='.cell-graph-', suffix=suffix, dir=directory)
        os.close(fd)
        try:
            fig.savefig(tmp, dpi=dpi, format=suffix.lstrip('.'))
            os.replace(tmp, path)
        finally:
            if osp.exists(tmp):
                os.remove(tmp)
    finally:
        plt.close(fig)
    return str(path)
