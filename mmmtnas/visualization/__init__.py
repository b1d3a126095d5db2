from .branch_tree import draw_branch_tree  # noqa: F401
