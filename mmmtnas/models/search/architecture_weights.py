"""Architecture parameters read as probabilities: what a search logs and draws over time.

A search algorithm's ``architecture_weights()`` returns one :class:`ChoiceWeights` table per
group of choice points, keyed by a stable ``/``-separated name: a DARTS cell's op weights per
edge (``'backbone/normal'``: softmax of alpha, edges x ops), its PC-DARTS edge weights per node
(``'backbone/normal/edges'``: the softmax of beta over each node's inputs) or a BMTAS task's
routing per layer (``'routing/semseg'``: layers x copies). Logging hooks flatten a table into
scalars ``<prefix>/<name>/<row>/<col>``; the pictures draw it as a heatmap.
"""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from mmmtnas.structures.choice_weights import ChoiceWeights


def table_name(readable_name: str) -> str:
    """The table (and scalar-key) name of an architecture parameter: ``'backbone.normal'``
    -> ``'backbone/normal'``, so TensorBoard groups a part's cells together."""
    return readable_name.replace('.', '/')


@torch.no_grad()
def softmax_tables(owner, names: Optional[List[str]] = None) -> Dict[str, ChoiceWeights]:
    """Tables of parameters whose meaning nothing else knows: softmax over the last dimension,
    rows ``row<i>`` (a 1-D parameter: one unnamed row), columns ``choice<j>``.

    Args:
        owner (ArchitectureParameters | nn.ParameterDict): The parameters by readable name
            (anything with ``items()``).
        names (list[str], optional): Only these. Defaults to all.

    Returns:
        dict[str, ChoiceWeights]: By :func:`table_name`.
    """
    out = {}
    for name, param in dict(owner.items()).items():
        if names is not None and name not in names:
            continue
        logits = param.detach().float().reshape(-1, param.shape[-1]) if param.dim() else None
        if logits is None:
            continue  # a scalar parameter is no choice
        rows = [''] if param.dim() == 1 else [f'row{i}' for i in range(logits.shape[0])]
        out[table_name(name)] = ChoiceWeights(
            rows, [f'choice{j}' for j in range(logits.shape[1])], logits.softmax(dim=-1))
    return out
