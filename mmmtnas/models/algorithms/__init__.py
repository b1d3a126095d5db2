from .bilevel_search import BilevelSearchAlgorithm  # noqa: F401
from .bmtas_search import BMTASSearch  # noqa: F401
from .partially_frozen_search import PartiallyFrozenSearch  # noqa: F401
from .pareto_mtl import ParetoMTL  # noqa: F401
