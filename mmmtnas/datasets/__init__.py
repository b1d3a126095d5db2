from . import dense, driving  # noqa: F401
from .dataset_split import DatasetSplit  # noqa: F401
from .local_cifar import LocalCIFAR10  # noqa: F401
from .split_files import SplitFileDataset  # noqa: F401
