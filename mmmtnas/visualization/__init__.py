from .branch_tree import draw_branch_tree  # noqa: F401
from .cell_graph import draw_cell, draw_genotype  # noqa: F401
