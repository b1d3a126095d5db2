"""FAFS, BMN and random branching end to end: a trained model (or a target branch file) in, a
branch file's structure out. The hooks (:mod:`mmmtnas.engine.hooks.branching_hooks`) and
``tools/branching/branching.py`` call these."""
from typing import Iterable, Optional, Sequence

import numpy as np

from mmmtnas.registry import BRANCHING_METHODS
from mmmtnas.structures.branch_file import BranchStructure, load_branch_file
from .bmn import layer_affinities, search_branching
from .branching_probes import (_dense_model, branch_structure, encoder_layer_costs,
                               per_image_task_losses, per_layer_task_features)
from .fafs import easy_samples, fafs_branching, task_affinity
from .random_branching import matched_random_tree, structure_costs, tree_cost


@BRANCHING_METHODS.register_module(name='fafs')
def fafs_branch_structure(model, dataloader: Iterable, penalty: float,
                          cost_input_size: Sequence[int], num_images: int = 10**9,
                          threshold: str = 'median') -> BranchStructure:
    """FAFS on a model with a shared encoder (see :mod:`.fafs`).

    Args:
        model: The pre-trained ``DenseMultiTaskModel`` (its encoder all shared).
        dataloader (Iterable): Images with every task's ground truth.
        penalty (float): Weight of the complexity term (larger: cheaper tree).
        cost_input_size (Sequence[int]): ``(H, W)`` at which layers are costed.
        num_images (int): Images used for the task affinity.
        threshold (str): 'median' or 'mean' loss separates easy from difficult images.

    Returns:
        BranchStructure: Routing, MAdds and ``meta`` (affinity, per-layer decisions).
    """
    model = _dense_model(model)
    encoder = model.encoder
    if any(len(g) != len(encoder.tasks) for groups in encoder.groups.values() for g in groups):
        raise ValueError('FAFS splits a pre-trained shared encoder: give a model with '
                         "encoder structure='all_shared'")
    tasks, losses = per_image_task_losses(model, dataloader, num_images)
    affinity = task_affinity(easy_samples(losses, threshold))
    stem, costs = encoder_layer_costs(encoder, cost_input_size)
    routing, records = fafs_branching(affinity, costs, penalty)
    names = encoder.layer_names
    meta = dict(method='fafs', penalty=float(penalty), threshold=threshold,
                num_images=int(losses.shape[0]), affinity=np.round(affinity, 6).tolist(),
                decisions=[dict(layer=names[r['layer']],
                                groups=[[tasks[t] for t in g] for g in r['groups']],
                                loss=round(r['loss'], 6)) for r in records])
    return branch_structure(tasks, names, routing, costs, stem, cost_input_size, meta)


@BRANCHING_METHODS.register_module(name='bmn')
def bmn_branch_structure(model, dataloader: Iterable, cost_input_size: Sequence[int],
                         num_images: int, max_madds: Optional[float] = None,
                         budget: Optional[float] = None,
                         feature_size: Optional[Sequence[int]] = None,
                         split_layers: Optional[Sequence[str]] = None) -> BranchStructure:
    """BMN on a model of single-task encoders (see :mod:`.bmn`).

    Args:
        model: The trained ``DenseMultiTaskModel`` (encoder ``structure='all_separate'``).
        dataloader (Iterable): Images.
        cost_input_size (Sequence[int]): ``(H, W)`` at which layers are costed.
        num_images (int): ``K``, images in the RDMs.
        max_madds (float, optional): Budget on the encoder's MAdds (stem included).
        budget (float, optional): Instead of ``max_madds``: a fraction of the way from the
            all-shared (0) to the all-separate (1) encoder's MAdds.
        feature_size (Sequence[int], optional): Pool features to at most this size first.
        split_layers (Sequence[str], optional): Layers where tasks may branch (BMN's
            locations); default every layer.

    Returns:
        BranchStructure: Routing, MAdds and ``meta`` (per-layer affinities, score, budget).
    """
    model = _dense_model(model)
    encoder = model.encoder
    if (max_madds is None) == (budget is None):
        raise ValueError('BMN: give exactly one of max_madds=<MAdds> or budget=<fraction in '
                         '[0, 1]>')
    if budget is not None and not 0 <= budget <= 1:
        raise ValueError(f'BMN: budget must be in [0, 1], got {budget}')
    tasks, names = list(encoder.tasks), list(encoder.layer_names)
    if any(len(g) != 1 for groups in encoder.groups.values() for g in groups):
        raise ValueError('BMN compares single-task networks: give a model with encoder '
                         "structure='all_separate'")
    unknown = [n for n in split_layers or () if n not in names]
    if unknown:
        raise ValueError(f'BMN: split_layers {unknown} are not encoder layers {names}')
    features = per_layer_task_features(model, dataloader, num_images, feature_size)
    affinity = layer_affinities(features, tasks, names)
    stem, costs = encoder_layer_costs(encoder, cost_input_size)
    shared = tree_cost([[0] * len(tasks) for _ in names], costs, stem)
    separate = tree_cost([list(range(len(tasks))) for _ in names], costs, stem)
    cap = max_madds if max_madds is not None else shared + budget * (separate - shared)
    split = None if split_layers is None else [names.index(n) for n in split_layers]
    routing, score, _ = search_branching(affinity, costs, cap - stem, split)
    meta = dict(method='bmn', max_madds=float(cap), budget=budget, num_images=num_images,
                feature_size=None if feature_size is None else list(feature_size),
                dissimilarity=round(score, 6),
                affinity={n: np.round(a, 6).tolist() for n, a in zip(names, affinity)})
    return branch_structure(tasks, names, routing, costs, stem, cost_input_size, meta)


@BRANCHING_METHODS.register_module(name='random')
def random_branch_structure(target: str, tolerance: float = 0.02, seed: int = 0,
                            tasks: Optional[Sequence[str]] = None) -> BranchStructure:
    """A random tree whose MAdds match a branch file's (see :mod:`.random_branching`).

    Args:
        target (str): Branch file to match (its ``madds.layer_costs`` and ``stem`` cost the
            layers; its routing gives the target MAdds).
        tolerance (float): Largest relative MAdds difference.
        seed (int): Seed of the draws.
        tasks (Sequence[str], optional): Tasks (default: the target's).

    Returns:
        BranchStructure: Routing, MAdds and ``meta`` (target, draws, seed).
    """
    structure = load_branch_file(target, tasks=tasks)
    costs, stem = structure_costs(structure, target)
    goal = tree_cost(structure.routing_matrix(), costs, stem)
    routing, cost, draws = matched_random_tree(len(structure.tasks), costs, goal, tolerance,
                                               seed, stem=stem)
    meta = dict(method='random', target=target, target_madds=goal, tolerance=tolerance,
                seed=seed, draws=draws)
    input_size = (structure.madds or {}).get('input_size', [0, 0])
    return branch_structure(structure.tasks, structure.layers, routing, costs, stem, input_size,
                            meta)
