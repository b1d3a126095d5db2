"""Pack an image and its dense task maps into ``inputs`` and a ``SegDataSample``."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmmtnas.registry import TRANSFORMS

META_KEYS = ('img_path', 'img_id', 'ori_shape', 'img_shape', 'pad_shape', 'padding_size',
             'scale_factor', 'flip', 'flip_direction', 'dense_tasks')


@TRANSFORMS.register_module()
class PackDenseInputs(BaseTransform):
    """``inputs``: ``(3, H, W)`` image tensor; ``data_samples``: one ``SegDataSample`` with a
    ``gt_<task>`` ``PixelData`` of shape ``(C, H, W)`` per task (labels as int64, others
    float32).

    Args:
        meta_keys (Sequence[str]): Keys copied to the sample's metainfo when present.
    """

    def __init__(self, meta_keys: Sequence[str] = META_KEYS) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        """Pack."""
        img = results['img']
        if img.ndim == 2:
            img = img[..., None]
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
        sample = SegDataSample()
        for key in results.get('dense_fields', []):
            arr = results[key]
            arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
            tensor = torch.from_numpy(np.ascontiguousarray(arr))
            tensor = tensor.long() if arr.dtype == np.uint8 else tensor.float()
            sample.set_field(PixelData(data=tensor), key)
        sample.set_metainfo({k: results[k] for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)
