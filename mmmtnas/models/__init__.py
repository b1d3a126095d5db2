# One sub-package per family of parts; each registers its classes on import.
from . import branched, dense, multitask, nas  # noqa: F401
