# One sub-package per family of parts; each registers its classes on import.
from . import algorithms, branched, dense, multitask, nas, wrappers  # noqa: F401
from . import feature_sharing  # noqa: F401
