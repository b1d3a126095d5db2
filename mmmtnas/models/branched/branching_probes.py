"""What the FAFS and BMN branching methods measure on a trained dense multi-task model, and the
branch file they write.

- :func:`per_image_task_losses`: each task's loss on each image (FAFS's sample difficulty), from
  a model whose encoder is shared;
- :func:`per_layer_task_features`: each task's features after every encoder layer on the same
  images (BMN's representations), from single-task encoders (``structure='all_separate'``);
- :func:`encoder_layer_costs`: MAdds of the stem and of one copy of every layer at an image size;
- :func:`branch_structure`: the branch file BMTAS exports, for a routing found any other way.
"""
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from mmmtnas.structures.branch_file import BranchStructure
from mmmtnas.utils import eval_mode, unwrap_model
from .madds import count_madds, input_shaped
from .random_branching import tree_cost


def _dense_model(model):
    model = unwrap_model(model)
    encoder = getattr(model, 'encoder', None)
    if encoder is None or not hasattr(encoder, 'groups') or not hasattr(model, 'heads'):
        raise TypeError(f'{type(model).__name__}: branching methods need a dense multi-task model '
                        '(mmmtnas.DenseMultiTaskModel) over a mmmtnas.BranchedNetwork encoder')
    return model


def _images(model, dataloader: Iterable, max_images: int):
    """Yield preprocessed ``(inputs, data_samples)`` one image at a time, up to ``max_images``."""
    seen = 0
    for data in dataloader:
        batch = model.data_preprocessor(data, False)
        inputs, samples = batch['inputs'], batch['data_samples']
        for i in range(inputs.shape[0]):
            if seen >= max_images:
                return
            seen += 1
            yield inputs[i:i + 1], [samples[i]]


@torch.no_grad()
def per_image_task_losses(model, dataloader: Iterable,
                          max_images: int = 10**9) -> Tuple[List[str], np.ndarray]:
    """Each task's (unweighted) loss on each image, the model in eval mode.

    Args:
        model: A ``DenseMultiTaskModel`` (possibly wrapped).
        dataloader (Iterable): Batches with ground truth of every task.
        max_images (int): Stop after this many images.

    Returns:
        tuple: The tasks and ``[N, T]`` losses.
    """
    model = _dense_model(model)
    rows = []
    with eval_mode(model):
        for inputs, samples in _images(model, dataloader, max_images):
            losses = model.loss(inputs, samples)
            row = []
            for task in model.tasks:
                total = sum(float(v) for k, v in losses.items()
                            if k.startswith(f'{task}.') and k.split('.', 1)[1].startswith('loss'))
                row.append(total / model.task_weights[task])
            rows.append(row)
    if len(rows) < 2:
        raise ValueError(f'task difficulty needs at least 2 images, the dataloader gave '
                         f'{len(rows)}')
    return list(model.tasks), np.asarray(rows)


@torch.no_grad()
def per_layer_task_features(model, dataloader: Iterable, max_images: int,
                            feature_size: Optional[Sequence[int]] = None
                            ) -> Dict[str, Dict[str, torch.Tensor]]:
    """Each task's features after every encoder layer, on the same images.

    Args:
        model: A ``DenseMultiTaskModel`` over a ``BranchedNetwork`` (for BMN: all separate).
        dataloader (Iterable): Image batches.
        max_images (int): ``K``, the number of images.
        feature_size (Sequence[int], optional): Average-pool every feature map to at most this
            ``(H, W)`` before storing it (memory); None keeps full resolution.

    Returns:
        dict: ``features[task][layer]`` -> ``[K, D]`` float tensors (CPU).
    """
    model = _dense_model(model)
    encoder = model.encoder
    store: Dict[str, Dict[str, List[torch.Tensor]]] = {
        t: {layer: [] for layer in encoder.layer_names} for t in encoder.tasks}
    handles = []

    def keep(layer: str, group: Sequence[str]):
        def hook(module, args, output):
            if feature_size is not None:
                size = [min(s, o) for s, o in zip(feature_size, output.shape[-2:])]
                output = F.adaptive_avg_pool2d(output, size)
            flat = output.reshape(output.shape[0], -1).float().cpu()
            for task in group:
                store[task][layer].append(flat)
        return hook

    for layer in encoder.layer_names:
        for group in encoder.groups[layer]:
            handles.append(encoder.block(layer, group).register_forward_hook(keep(layer, group)))
    count = 0
    try:
        with eval_mode(model):
            for inputs, _ in _images(model, dataloader, max_images):
                encoder(inputs)
                count += 1
    finally:
        for handle in handles:
            handle.remove()
    if count < 3:
        raise ValueError(f'representational similarity needs at least 3 images, the dataloader '
                         f'gave {count}')
    return {t: {layer: torch.cat(v) for layer, v in per_layer.items()}
            for t, per_layer in store.items()}


@torch.no_grad()
def encoder_layer_costs(encoder, input_size: Sequence[int],
                        in_channels: int = 3) -> Tuple[float, List[float]]:
    """MAdds of the stem and of one copy of every layer of a ``BranchedNetwork``.

    Args:
        encoder: A ``mmmtnas.BranchedNetwork``.
        input_size (Sequence[int]): Image ``(H, W)``.
        in_channels (int): Image channels.

    Returns:
        tuple: The stem's MAdds and one figure per layer (``encoder.layer_names`` order).
    """
    x = input_shaped(encoder.stem, (in_channels, *input_size))
    stem = float(count_madds(encoder.stem, x))
    task = encoder.tasks[0]
    costs = []
    with eval_mode(encoder):
        x = encoder.stem(x)
        for layer in encoder.layer_names:
            group = next(g for g in encoder.groups[layer] if task in g)
            block = encoder.block(layer, group)
            costs.append(float(count_madds(block, x)))
            x = block(x)
    return stem, costs


def branch_structure(tasks: Sequence[str], layers: Sequence[str], routing,
                     layer_costs: Sequence[float], stem: float, input_size: Sequence[int],
                     meta: dict) -> BranchStructure:
    """A branch file's content for a routing found by FAFS, BMN or at random.

    Args:
        tasks (Sequence[str]): Task names (routing columns).
        layers (Sequence[str]): Layer names (routing rows).
        routing: ``[L][T]`` copy per task and layer.
        layer_costs (Sequence[float]): MAdds of one copy of each layer at ``input_size``.
        stem (float): MAdds of the stem.
        input_size (Sequence[int]): The image size of the costs.
        meta (dict): What found it (``method`` and its settings).

    Returns:
        BranchStructure: Validated, with ``madds`` (``derived``: stem + layers) and ``meta``.
    """
    madds = dict(input_size=[int(s) for s in input_size], stem=float(stem),
                 layer_costs={n: float(c) for n, c in zip(layers, layer_costs)},
                 derived=tree_cost(routing, layer_costs, stem))
    return BranchStructure.from_routing(tasks, layers, routing, madds=madds, meta=dict(meta))
