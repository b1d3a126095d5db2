from . import dense, driving  # noqa: F401
from .dataset_split import DatasetSplit  # noqa: F401
