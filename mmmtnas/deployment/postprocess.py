"""Decode an exported graph's outputs with the model's own ``predict_by_feat`` and compare two
sets of predictions (PyTorch against ONNX Runtime)."""
import copy
from typing import Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn

from mmmtnas.models.dense import DenseMultiTaskModel
from .export_wrapper import ExportWrapper, output_names, unflatten_outputs


@torch.no_grad()
def decode_outputs(model: nn.Module, outputs: Sequence, data_samples: list,
                   batch_input_shape: Sequence[int], rescale: bool = True) -> list:
    """Turn raw head outputs into predictions, as :meth:`predict` of the model does.

    Args:
        model (nn.Module): The exported model (its heads decode: anchors, NMS, argmax).
        outputs (Sequence): The graph's outputs in :func:`output_names` order, arrays (ONNX
            Runtime) or tensors (:class:`ExportWrapper`).
        data_samples (list): The images' data samples (``img_shape``, ``ori_shape``,
            ``scale_factor`` ...); filled in place.
        batch_input_shape (Sequence[int]): (H, W) of the graph's input.
        rescale (bool): Boxes and masks in original image coordinates (detection models).
            Defaults to True.

    Returns:
        list: ``data_samples`` with their predictions set.
    """
    tensors = [torch.as_tensor(np.asarray(out)) for out in outputs]
    structured = unflatten_outputs(model, tensors)
    shape = tuple(int(v) for v in batch_input_shape)
    if isinstance(model, DenseMultiTaskModel):
        return model.predict_by_feat(structured, data_samples, batch_input_shape=shape)
    return model.predict_by_feat(structured, data_samples, rescale=rescale,
                                 batch_input_shape=shape)


def _pixel_fields(sample) -> list:
    return sorted(k for k in sample.keys() if k.startswith('pred_') and k != 'pred_instances')


def compare_predictions(reference: list, other: list, box_atol: float = 1e-2,
                        map_atol: Optional[float] = 1e-4) -> Dict[str, dict]:
    """How far two sets of decoded predictions of the same images agree.

    Boxes agree when every image has as many boxes, with the same labels in the same order,
    within ``box_atol`` pixels; label maps (integers: argmax masks) when every pixel is the
    same; float maps (sigmoid, normals) when within ``map_atol``.

    Args:
        reference (list): Data samples with predictions (e.g. PyTorch's).
        other (list): The same images' data samples (e.g. ONNX Runtime's).
        box_atol (float): Box tolerance in pixels. Defaults to 1e-2.
        map_atol (float, optional): Float map tolerance. Defaults to 1e-4.

    Returns:
        dict: Per prediction field (``pred_instances``, ``pred_sem_seg``, ``pred_<task>``) a
        dict with ``same`` (bool) and figures: ``num_boxes``, ``max_box_diff``,
        ``max_score_diff`` for boxes; ``pixel_agreement`` or ``max_abs_diff`` for maps.
    """
    if len(reference) != len(other):
        raise ValueError(f'{len(reference)} reference samples, {len(other)} to compare')
    report = {}
    if reference and 'pred_instances' in reference[0]:
        same, boxes, box_diff, score_diff = True, [], 0., 0.
        for ref, oth in zip(reference, other):
            a, b = ref.pred_instances, oth.pred_instances
            boxes.append([len(a), len(b)])
            if len(a) != len(b) or not torch.equal(a.labels, b.labels):
                same = False
                continue
            if len(a):
                box_diff = max(box_diff, float((a.bboxes - b.bboxes).abs().max()))
                score_diff = max(score_diff, float((a.scores - b.scores).abs().max()))
        report['pred_instances'] = dict(same=same and box_diff <= box_atol, num_boxes=boxes,
                                        max_box_diff=box_diff, max_score_diff=score_diff)
    for field in _pixel_fields(reference[0]) if reference else []:
        pairs = [(ref.get(field).data, oth.get(field).data) for ref, oth in zip(reference, other)]
        if pairs[0][0].is_floating_point():
            diff = max(float((a - b).abs().max()) for a, b in pairs)
            report[field] = dict(same=map_atol is None or diff <= map_atol, max_abs_diff=diff)
        else:
            equal = sum(int((a == b).sum()) for a, b in pairs)
            total = sum(a.numel() for a, _ in pairs)
            report[field] = dict(same=equal == total, pixel_agreement=equal / max(total, 1))
    return report


def default_samples(model: nn.Module, batch_size: int, shape: Sequence[int]) -> list:
    """Data samples for ``batch_size`` unpadded, unscaled images of ``shape`` (H, W)."""
    h, w = (int(v) for v in shape)
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w), batch_input_shape=(h, w),
                scale_factor=(1., 1.))
    if isinstance(model, DenseMultiTaskModel):
        from mmseg.structures import SegDataSample
        return [SegDataSample(metainfo=meta) for _ in range(batch_size)]
    from mmdet.structures import DetDataSample
    return [DetDataSample(metainfo=meta) for _ in range(batch_size)]


@torch.no_grad()
def parity(model: nn.Module, session, inputs: torch.Tensor,
           data_samples: Optional[list] = None) -> dict:
    """Run the eager model and an exported session on the same images and compare.

    Args:
        model (nn.Module): The exported model, in eval mode.
        session (callable): The graph, e.g. :class:`ORTModel`: arrays in, list of arrays out.
        inputs (Tensor): Preprocessed images (N, 3, H, W).
        data_samples (list, optional): Their data samples; default: unscaled images.

    Returns:
        dict: ``max_abs_diff`` (over every output), ``outputs`` (name -> max abs diff) and
        ``predictions`` (:func:`compare_predictions` of the two decodings).
    """
    shape = tuple(inputs.shape[-2:])
    if data_samples is None:
        data_samples = default_samples(model, inputs.shape[0], shape)
    eager = [t.numpy() for t in ExportWrapper(model)(inputs)]
    graph = session(inputs)
    diffs = {name: float(np.abs(a - b).max()) if a.size else 0.
             for name, a, b in zip(output_names(model), eager, graph)}
    ref = decode_outputs(model, eager, copy.deepcopy(data_samples), shape)
    oth = decode_outputs(model, graph, copy.deepcopy(data_samples), shape)
    return dict(max_abs_diff=max(diffs.values()), outputs=diffs,
                predictions=compare_predictions(ref, oth))
