from .bilevel_optim_wrapper_constructor import BilevelOptimWrapperConstructor  # noqa: F401
from .shared_block_lr_constructor import SharedBlockLRConstructor  # noqa: F401
