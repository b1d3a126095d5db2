"""Method-neutral search machinery: the algorithm base every search subclasses."""
from .search_algorithm import (ARCH_KEY, WEIGHTS_KEY, SearchAlgorithm,  # noqa: F401
                               arch_params_of)
