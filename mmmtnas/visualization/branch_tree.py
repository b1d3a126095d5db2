"""Draw the branching tree of a multi-task encoder (a branch file) as a PNG."""
import os
import os.path as osp
import tempfile
from typing import Optional

from mmmtnas.structures.branch_file import BranchStructure


def draw_branch_tree(structure: BranchStructure, out_file: str,
                     title: Optional[str] = None) -> str:
    """Draw which tasks share which encoder layers, and write it as a PNG (atomically).

    Layers run left to right from the shared stem; each dot is one block that is computed
    (a group of tasks sharing it), and a line leaves it for every branch; the tasks' names end
    their branches on the right.

    Args:
        structure (BranchStructure): The branching structure (e.g. from a branch file).
        out_file (str): Destination PNG path.
        title (str, optional): Figure title. Defaults to the derived MAdds when known.

    Returns:
        str: ``out_file``.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    tasks, layers = structure.tasks, structure.layers
    groups = structure.groups()
    # Order tasks by their whole route so that every group is a contiguous band.
    order = sorted(tasks, key=lambda t: [structure.routing[t][layer] for layer in layers])
    row = {t: i for i, t in enumerate(order)}

    def y_of(group):
        return sum(row[t] for t in group) / len(group)

    fig_w = max(6., 0.45 * len(layers) + 2.5)
    fig, ax = plt.subplots(figsize=(fig_w, max(2.5, 0.7 * len(tasks) + 1.2)))
    prev = {t: (-1, y_of(tasks)) for t in tasks}  # the shared stem
    ax.scatter([-1], [y_of(tasks)], s=60, c='black', zorder=3)
    for x, layer in enumerate(layers):
        points = {}
        for group in groups[layer]:
            y = y_of(group)
            px, py = prev[group[0]]  # all tasks of a group share their previous block
            ax.plot([px, x], [py, y], color='tab:blue', lw=1.2 + 0.8 * len(group), zorder=1)
            ax.scatter([x], [y], s=25 + 15 * len(group), c='tab:blue', zorder=2)
            for t in group:
                points[t] = (x, y)
        prev = points
    for t in tasks:
        x, y = prev[t]
        ax.annotate(t, (x, y), xytext=(8, 0), textcoords='offset points', va='center')
    ax.set_xticks(range(-1, len(layers)))
    ax.set_xticklabels(['stem'] + list(layers), rotation=90, fontsize=7)
    ax.set_yticks([])
    ax.set_xlim(-1.5, len(layers) + 1.5)
    ax.set_ylim(-0.8, len(tasks) - 0.2)
    ax.invert_yaxis()
    for side in ('top', 'right', 'left'):
        ax.spines[side].set_visible(False)
    derived = structure.madds.get('derived') if structure.madds else None
    if title is None and derived is not None:
        title = f'derived encoder: {float(derived) / 1e6:.1f} MMAdds'
    if title:
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    directory = osp.dirname(osp.abspath(out_file))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.tree-', suffix='.png')
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=120, format='png')
        os.replace(tmp, out_file)
    finally:
        plt.close(fig)
        if osp.exists(tmp):
            os.remove(tmp)
    return out_file
