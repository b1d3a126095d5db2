"""A multi-task model as a graph of tensors: image in, raw head outputs out, for
``torch.onnx.export``.

The graph stops where the heads stop (SSD class scores and box deltas per level, segmentation
logits, dense-task logits): anchors, box decoding, NMS and argmax stay in the model's
``predict_by_feat`` (:mod:`.postprocess`), which the PyTorch path runs as well, so an exported
network and its checkpoint decode alike and NMS is never re-implemented.
"""
import warnings
from typing import Dict, List, Sequence, Tuple, Union

import torch
import torch.nn as nn
from torch import Tensor

from mmmtnas.models.dense import DenseMultiTaskModel
from mmmtnas.models.multitask import DetSegMultiTaskModel

INPUT_NAME = 'image'
#: The networks this module exports (a search's supernet is not one: export its derived network).
EXPORTABLE = (DetSegMultiTaskModel, DenseMultiTaskModel)


class UnsupportedModelError(TypeError):
    """The model is not one of the exportable multi-task networks."""


def check_exportable(model: nn.Module) -> None:
    """Raise :class:`UnsupportedModelError` unless ``model`` is an exportable network."""
    if not isinstance(model, EXPORTABLE):
        names = ', '.join(cls.__name__ for cls in EXPORTABLE)
        raise UnsupportedModelError(
            f'cannot export a {type(model).__name__}: exportable models are {names} (for a '
            'search, export the derived network of its retrain / finetune / test stage)')


def _num_levels(model: DetSegMultiTaskModel) -> int:
    return model.det_head.prior_generator.num_levels


def output_names(model: nn.Module) -> List[str]:
    """The graph's output names, in the order :func:`flatten_outputs` gives them.

    ``DetSegMultiTaskModel``: ``det_cls_score_<level>`` for each level, then
    ``det_bbox_pred_<level>``, then ``seg_logits``; ``DenseMultiTaskModel``: ``<task>_logits``
    per task.
    """
    check_exportable(model)
    if isinstance(model, DenseMultiTaskModel):
        return [f'{task}_logits' for task in model.tasks]
    names = []
    for task in model.tasks:
        if task == 'det':
            levels = range(_num_levels(model))
            names += [f'det_cls_score_{i}' for i in levels]
            names += [f'det_bbox_pred_{i}' for i in levels]
        else:
            names.append('seg_logits')
    return names


def flatten_outputs(model: nn.Module, outs: Union[tuple, Dict[str, Tensor]]) -> Tuple[Tensor, ...]:
    """The model's ``_forward`` outputs as one flat tuple (:func:`output_names` order)."""
    if isinstance(model, DenseMultiTaskModel):
        return tuple(outs[task] for task in model.tasks)
    flat = []
    for task, out in zip(model.tasks, outs):
        if task == 'det':
            cls_scores, bbox_preds = out
            flat += list(cls_scores) + list(bbox_preds)
        else:
            flat.append(out)
    return tuple(flat)


def unflatten_outputs(model: nn.Module,
                      flat: Sequence[Tensor]) -> Union[tuple, Dict[str, Tensor]]:
    """Inverse of :func:`flatten_outputs`: the structure the model's ``predict_by_feat`` reads.

    Raises:
        ValueError: ``flat`` has not as many tensors as the model has outputs.
    """
    names = output_names(model)
    if len(flat) != len(names):
        raise ValueError(f'{len(flat)} outputs given, the {type(model).__name__} has '
                         f'{len(names)}: {names}')
    flat = list(flat)
    if isinstance(model, DenseMultiTaskModel):
        return dict(zip(model.tasks, flat))
    outs = []
    for task in model.tasks:
        if task == 'det':
            n = _num_levels(model)
            outs.append((flat[:n], flat[n:2 * n]))
            flat = flat[2 * n:]
        else:
            outs.append(flat.pop(0))
    return tuple(outs)


class ExportWrapper(nn.Module):
    """``forward(image) -> flat tuple`` of a multi-task model's raw head outputs.

    Args:
        model (nn.Module): A :data:`EXPORTABLE` model, in eval mode.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        check_exportable(model)
        self.model = model

    def forward(self, image: Tensor) -> Tuple[Tensor, ...]:
        return flatten_outputs(self.model, self.model._forward(image))


def dynamic_axes(names: Sequence[str]) -> Dict[str, Dict[int, str]]:
    """Batch, height and width of the input, and of every output map, left free."""
    axes = {INPUT_NAME: {0: 'batch', 2: 'height', 3: 'width'}}
    for name in names:
        axes[name] = {0: 'batch', 2: f'{name}_height', 3: f'{name}_width'}
    return axes


def export_onnx(model: nn.Module, path: str, input_shape: Sequence[int], batch_size: int = 1,
                opset: int = 17, dynamic: bool = True) -> List[str]:
    """Export a multi-task model's raw head outputs to an ONNX file.

    Args:
        model (nn.Module): A :data:`EXPORTABLE` model; exported in eval mode (BN statistics,
            no dropout) and left in the mode it had.
        path (str): The ``.onnx`` file to write.
        input_shape (Sequence[int]): (H, W) of the example input used for tracing.
        batch_size (int): Batch of the example input. Defaults to 1.
        opset (int): ONNX opset. Defaults to 17.
        dynamic (bool): Leave batch, height and width free. Defaults to True.

    Returns:
        list[str]: The output names (:func:`output_names`).
    """
    h, w = (int(v) for v in input_shape)
    if h <= 0 or w <= 0 or batch_size <= 0:
        raise ValueError(f'input shape must be positive, got batch {batch_size}, {h}x{w}')
    wrapper = ExportWrapper(model)
    names = output_names(model)
    was_training = model.training
    model.eval()
    try:
        example = torch.rand(batch_size, 3, h, w)
        with torch.no_grad(), warnings.catch_warnings():
            # tracing warns about every Python int taken from a shape (the export is checked at
            # other sizes instead: tests/test_deployment), about slices it cannot fold, and
            # that it is the TorchScript exporter (dynamo=False: the one that exports these
            # heads with dynamic sizes here)
            warnings.simplefilter('ignore', torch.jit.TracerWarning)
            warnings.filterwarnings('ignore', message='Constant folding')
            warnings.filterwarnings('ignore', message='.*legacy TorchScript-based ONNX export')
            warnings.filterwarnings('ignore', message='The feature will be removed')
            torch.onnx.export(
                wrapper, (example, ), path, input_names=[INPUT_NAME], output_names=names,
                dynamic_axes=dynamic_axes(names) if dynamic else None, opset_version=opset,
                do_constant_folding=True, dynamo=False)
    finally:
        model.train(was_training)
    return names
