"""Where a dense task's maps live in a data sample.

Dense multi-task samples (one mmseg ``SegDataSample`` per image) carry one ``PixelData`` per
task: ``gt_<task>`` (padded to the batch size by the pipeline) and ``pred_<task>`` (cropped back
to the image by the model). Metrics receive the samples as nested dicts (``to_dict()``).
"""
from typing import Tuple

import torch
from torch import Tensor


def gt_field(task: str) -> str:
    """Name of the ground-truth field of ``task``."""
    return f'gt_{task}'


def pred_field(task: str) -> str:
    """Name of the prediction field of ``task``."""
    return f'pred_{task}'


def get_pred_and_gt(data_sample: dict, task: str) -> Tuple[Tensor, Tensor]:
    """Read a task's prediction and ground truth from a sample dict.

    The ground truth is cropped to the prediction's height and width, at the image's place in
    the padded canvas (the sample's ``padding_size`` = (left, right, top, bottom); none: the
    top-left corner): the model predicts on the unpadded image.

    Args:
        data_sample (dict): One sample as given to ``BaseMetric.process``.
        task (str): Task name, e.g. ``'semseg'``.

    Returns:
        tuple[Tensor, Tensor]: ``(pred, gt)``, both ``(C, H, W)`` on the CPU.
    """
    for field in (pred_field(task), gt_field(task)):
        if field not in data_sample:
            raise KeyError(
                f"data sample has no '{field}' (fields: {sorted(data_sample)}); "
                f"is task '{task}' predicted by the model and loaded by the dataset?")
    pred = _as_chw(data_sample[pred_field(task)]['data'])
    gt = _as_chw(data_sample[gt_field(task)]['data'])
    h, w = pred.shape[-2:]
    left, _, top, _ = data_sample.get('padding_size') or (0, 0, 0, 0)
    if gt.shape[-2] < top + h or gt.shape[-1] < left + w:
        raise ValueError(f"'{pred_field(task)}' is {tuple(pred.shape[-2:])} at (top, left) = "
                         f"({top}, {left}) but '{gt_field(task)}' only {tuple(gt.shape[-2:])}")
    return pred, gt[..., top:top + h, left:left + w].to(pred.device)


def _as_chw(data: Tensor) -> Tensor:
    data = torch.as_tensor(data).detach().cpu()
    return data[None] if data.ndim == 2 else data
