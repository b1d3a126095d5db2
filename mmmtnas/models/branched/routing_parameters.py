"""The one owner of a branched supernet's routing parameters (BMTAS alpha).

Layer ``l`` has ``alpha_l`` in R^{T x T}: row ``t`` holds task ``t``'s logits over the layer's
``T`` copies, zero at the start. It is the shared :class:`ArchitectureParameters` owner of the
NAS engine, with the layer names ('layer3.1', 'raspp') as parameter names, so a checkpoint reads
``arch_params.layer3__1`` and the same optimiser constructors find it; on top it offers the
stacked ``[L, T, T]`` view that the resource loss consumes.
"""
from typing import Dict, List, Sequence

import torch
from torch import Tensor

from mmmtnas.models.search import ArchitectureParameters


class RoutingParameters(ArchitectureParameters):
    """Per-layer task-to-copy routing logits, initialised to zero.

    Args:
        layer_names (Sequence[str]): Layer names in execution order (e.g. 'layer3.1', 'aspp').
        tasks (Sequence[str]): Task names; their order is the row and copy order.
    """

    def __init__(self, layer_names: Sequence[str], tasks: Sequence[str]) -> None:
        super().__init__(init_std=0.)
        if len(set(layer_names)) != len(layer_names):
            raise ValueError(f'layer names must be unique, got {list(layer_names)}')
        self.layer_names: List[str] = list(layer_names)
        self.tasks: List[str] = list(tasks)
        for name in self.layer_names:
            # init_std=0: every task starts indifferent between the copies (paper §A).
            self.register(name, (len(self.tasks), len(self.tasks)))

    def stacked(self) -> Tensor:
        """Return all logits as one ``[L, T, T]`` tensor (differentiable)."""
        return torch.stack([self[name] for name in self.layer_names])

    def probs(self) -> Tensor:
        """Return ``softmax(alpha)`` over copies, ``[L, T, T]`` (differentiable)."""
        return self.stacked().softmax(dim=-1)

    def argmax_routing(self) -> Tensor:
        """Return the discretised routing, ``LongTensor[L, T]``: the copy each task takes."""
        with torch.no_grad():
            return self.stacked().argmax(dim=-1)

    def as_dict(self) -> Dict[str, List[List[float]]]:
        """Return the logits keyed by layer name, as nested lists (for logging/export)."""
        return {name: self[name].detach().cpu().tolist() for name in self.layer_names}
