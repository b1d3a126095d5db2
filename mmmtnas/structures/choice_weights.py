"""A table of probabilities over the candidates of a group of choice points.

Plain data (what a search algorithm's ``architecture_weights()`` returns and what logging hooks
and pictures read), so it lives with the structures and needs no model code.
"""
import math
from dataclasses import dataclass
from typing import Dict, List

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
