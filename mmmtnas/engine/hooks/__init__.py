from .gumbel_temperature_hook import GumbelTemperatureHook  # noqa: F401
from .branch_export_hook import BranchExportHook  # noqa: F401
