"""The searched cells of a whole supernet: one genotype per searchable part, as one file.

What a DARTS-style search exports (``SearchAlgorithm.export_architecture``): the genotypes of
all parts, the architecture-parameter values they were derived from and the step. Like
:class:`~mmmtnas.structures.BranchStructure` it can validate, dump and draw itself, so the
export hook and the stop hooks treat both methods' structures alike.
"""
import math
from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional

from .genotype import (Genotype, GenotypeError, check_genotype, dump_genotype_file,
                       read_genotype_file)


def _flatten(value) -> List[float]:
    if isinstance(value, (list, tuple)):
        return [x for v in value for x in _flatten(v)]
    return [float(value)]


@dataclass
class GenotypeSet:
    """Genotypes of every searchable part of one search.

    Attributes:
        parts (dict[str, Genotype]): Part name (its architecture prefix) -> genotype.
        alphas (dict[str, list], optional): Architecture-parameter values by readable name.
        step (int, optional): The search iteration they were derived at.
    """
    parts: Dict[str, Genotype]
    alphas: Optional[Dict[str, list]] = None
    step: Optional[int] = None

    #: File name a search stage writes it to (in its work dir).
    default_filename = 'genotype.yaml'

    def validate(self, source: str = 'genotype set') -> None:
        """Raise :class:`GenotypeError` naming ``source`` on an empty set, a malformed part or
        a non-finite architecture parameter."""
        if not self.parts:
            raise GenotypeError(f'{source}: no part')
        for name, genotype in self.parts.items():
            check_genotype(genotype, where=f'{source} part {name!r}')
        for name, value in (self.alphas or {}).items():
            if not all(math.isfinite(x) for x in _flatten(value)):
                raise GenotypeError(f'{source}: architecture parameter {name!r} is not finite')

    def signature(self) -> Dict[str, dict]:
        """What identifies the architecture: each part's canonical genotype (the order in
        which derivation lists a node's edges is not a change)."""
        return {name: g.canonical().to_dict() for name, g in self.parts.items()}

    def count_op(self, op: str, cell: str, parts: Optional[List[str]] = None) -> Dict[str, int]:
        """How many edges use ``op`` in cell ``cell`` of each part that has that cell.

        Args:
            op (str): Op name, e.g. ``'skip_connect'``.
            cell (str): Cell key, e.g. ``'normal'``.
            parts (list[str], optional): Parts to count (each must exist). Defaults to every
                part that has ``cell``.

        Returns:
            dict[str, int]: Part -> count.
        """
        if parts is not None:
            missing = sorted(set(parts) - set(self.parts))
            if missing:
                raise KeyError(f'no searchable part(s) {missing}; the model has '
                               f'{sorted(self.parts)}')
        names = parts if parts is not None else [
            n for n, g in self.parts.items() if cell in g.cells]
        return {n: self.parts[n][cell].count_op(op) for n in names}

    def dump(self, path: str) -> str:
        """Write the genotype file atomically (see :func:`dump_genotype_file`)."""
        return dump_genotype_file(path, self.parts, alphas=self.alphas, step=self.step)

    def draw(self, path: str, title: Optional[str] = None) -> str:
        """Draw every part's cells to an image file beside the genotype file."""
        from mmmtnas.visualization.cell_graph import draw_genotype
        if title is None and self.step is not None:
            title = f'step {self.step}'
        return draw_genotype(self.parts, path, title=title)

    @classmethod
    def load(cls, path: str) -> 'GenotypeSet':
        """Read and validate a genotype file."""
        data = read_genotype_file(path)
        parts = {name: Genotype.from_dict(value, where=f'{path} part {name!r}')
                 for name, value in data['parts'].items()}
        return cls(parts=parts, alphas=data.get('alphas'), step=data.get('step'))

    @classmethod
    def from_alphas(cls, parts: Mapping[str, Genotype], alphas: Mapping[str, object],
                    step: Optional[int] = None) -> 'GenotypeSet':
        """Build from derived genotypes and live architecture-parameter tensors."""
        values = {str(k): v.detach().cpu().tolist() if hasattr(v, 'detach') else v
                  for k, v in alphas.items()}
        return cls(parts=dict(parts), alphas=values, step=None if step is None else int(step))
