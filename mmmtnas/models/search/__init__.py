"""Method-neutral search machinery: the owner of architecture parameters (stable names) and
the algorithm base every search subclasses."""
from .architecture_parameters import ArchitectureParameters  # noqa: F401
from .search_algorithm import (ARCH_KEY, WEIGHTS_KEY, SearchAlgorithm,  # noqa: F401
                               arch_params_of)
from .architecture_weights import ChoiceWeights, softmax_tables, table_name  # noqa: F401
