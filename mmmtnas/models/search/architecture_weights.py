"""Architecture parameters read as probabilities: what a search logs and draws over time.

A search algorithm's ``architecture_weights()`` returns one :class:`ChoiceWeights` table per
group of choice points, keyed by a stable ``/``-separated name: a DARTS cell's op weights per
edge (``'backbone/normal'``: softmax of alpha, edges x ops), its PC-DARTS edge weights per node
(``'backbone/normal/edges'``: the softmax of beta over each node's inputs) or a BMTAS task's
routing per layer (``'routing/semseg'``: layers x copies). Logging hooks flatten a table into
scalars ``<prefix>/<name>/<row>/<col>``; the pictures draw it as a heatmap.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Optional

import torch
from torch import Tensor


@dataclass
class ChoiceWeights:
    """Probabilities over the candidates of a group of choice points, one row per point.

    Attributes:
        rows (list[str]): The choice points, e.g. a cell's edges (``'edge0'``, ...) or the
            searchable layers of a branched encoder.
        cols (list[str]): The candidates, e.g. op names or a layer's copies (``'copy0'``, ...).
        probs (Tensor): ``[len(rows), len(cols)]`` float tensor on the CPU; each row is a
            distribution (sums to 1); NaN marks a candidate the row does not have (a PC-DARTS
            node's inputs: node ``i`` has ``i + 2``).
    """
    rows: List[str]
    cols: List[str]
    probs: Tensor

    def __post_init__(self) -> None:
        self.rows, self.cols = [str(r) for r in self.rows], [str(c) for c in self.cols]
        self.probs = self.probs.detach().float().cpu()
        if tuple(self.probs.shape) != (len(self.rows), len(self.cols)):
            raise ValueError(f'ChoiceWeights: probs of shape {tuple(self.probs.shape)} do not '
                             f'match {len(self.rows)} rows x {len(self.cols)} columns')

    def scalars(self, prefix: str) -> Dict[str, float]:
        """Flatten to ``{'<prefix>/<row>/<col>': probability}`` (NaN entries left out; an
        empty row name is left out of the key)."""
        out = {}
        for i, row in enumerate(self.rows):
            for j, col in enumerate(self.cols):
                value = float(self.probs[i, j])
                if not math.isnan(value):
                    out['/'.join(p for p in (prefix, row, col) if p)] = value
        return out


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
