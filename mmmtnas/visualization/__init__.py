from .branch_tree import draw_branch_tree  # noqa: F401
from .cell_graph import draw_cell, draw_genotype  # noqa: F401
from .multi_task_local_visualizer import MultiTaskLocalVisualizer  # noqa: F401
from .architecture_weights import draw_architecture_weights  # noqa: F401
