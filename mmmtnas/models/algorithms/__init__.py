from .bilevel_distributed_data_parallel import BilevelDistributedDataParallel  # noqa: F401
from .bilevel_search import BilevelSearchAlgorithm, arch_params_of  # noqa: F401
from .bmtas_search import BMTASSearch  # noqa: F401
