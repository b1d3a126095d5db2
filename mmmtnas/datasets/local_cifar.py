"""mmpretrain's CIFAR-10 reader for a local copy whose files are not the official ones."""
import os.path as osp

from mmpretrain.datasets import CIFAR10

from mmmtnas.registry import DATASETS


@DATASETS.register_module()
class LocalCIFAR10(CIFAR10):
    """mmpretrain's :class:`~mmpretrain.datasets.CIFAR10`, reading the same binary files, with
    the md5 checks of the official archive's files off and no download.

    mmpretrain compares every batch file with the md5 of the official release, so a generated
    (``mmmtnas.testing.make_toy_cifar10``) or re-packed copy would be rejected (or
    re-downloaded); here each file must still exist. Use mmpretrain's class for the real data.

    Args:
        data_root (str): The folder holding ``cifar-10-batches-py/``.
        **kwargs: Arguments of :class:`~mmpretrain.datasets.CIFAR10` (``split``, ``pipeline``,
            ``test_mode``, ...); ``download`` is always False.
    """

    train_list = [[name, None] for name, _ in CIFAR10.train_list]
    test_list = [[name, None] for name, _ in CIFAR10.test_list]
    meta = dict(CIFAR10.meta, md5=None)

    def __init__(self, data_root: str = '', **kwargs) -> None:
        kwargs['download'] = False
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self):
        """Check that every file is there (one line naming what is not), then read them."""
        folder = osp.join(self.data_prefix['root'], self.base_folder)
        names = [n for n, _ in self.train_list + self.test_list] + [self.meta['filename']]
        missing = [n for n in names if not osp.isfile(osp.join(folder, n))]
        if missing:
            raise FileNotFoundError(f'LocalCIFAR10: {folder} lacks {missing}; expected the '
                                    "CIFAR-10 python pickles (docs/data_preparation.md)")
        return super().load_data_list()
