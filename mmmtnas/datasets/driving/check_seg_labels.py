"""A transform that rejects segmentation maps holding labels the model cannot have."""
import numpy as np
from mmcv.transforms import BaseTransform

from mmmtnas.registry import TRANSFORMS


class SegLabelError(ValueError):
    """A segmentation map holds labels outside ``[0, num_classes)`` that are not ignored."""


@TRANSFORMS.register_module()
class CheckSegLabels(BaseTransform):
    """Fail on labels outside ``[0, num_classes)`` other than ``ignore_index``.

    A wrong label would otherwise crash the loss with a CUDA assert, or silently count as a
    class in ``IoUMetric``. Put it right after ``LoadAnnotations`` (after any class merging,
    which ``LoadAnnotations`` applies through the dataset's ``label_map``).

    Required Keys:

    - gt_seg_map
    - seg_map_path (only for the message)

    Args:
        num_classes (int): Number of classes of the dataset.
        ignore_index (int): Label that is ignored. Defaults to 255.
    """

    def __init__(self, num_classes: int, ignore_index: int = 255) -> None:
        if num_classes < 1:
            raise ValueError(f'CheckSegLabels: num_classes must be >= 1, got {num_classes}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        """Check ``results['gt_seg_map']``.

        Args:
            results (dict): Result dict with ``gt_seg_map``.

        Returns:
            dict: ``results`` unchanged.

        Raises:
            SegLabelError: Naming the file and the offending values.
        """
        values = np.unique(results['gt_seg_map'])
        bad = values[((values < 0) | (values >= self.num_classes))
                     & (values != self.ignore_index)]
        if bad.size:
            shown = ', '.join(str(int(v)) for v in bad[:10]) + (', ...' if bad.size > 10 else '')
            raise SegLabelError(
                f"{results.get('seg_map_path', '<in-memory map>')}: segmentation labels "
                f'[{shown}] are outside 0..{self.num_classes - 1} and not the ignore index '
                f'{self.ignore_index}; check the label files or the class table')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_classes={self.num_classes}, '
                f'ignore_index={self.ignore_index})')
