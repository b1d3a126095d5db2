from .bilevel_optim_wrapper_constructor import BilevelOptimWrapperConstructor  # noqa: F401
