"""Genotypes (discrete DARTS cells) and the files that hold them.

A :class:`Genotype` describes one searchable part (a backbone, a segmentation branch, a
detection branch): for each of its cell types (``'normal'``, ``'reduce'``, or one key per cell
when cells do not share), which two earlier nodes each intermediate node reads and through which
op, and which nodes the output concatenates.

A genotype *file* (YAML, or JSON when the name ends in ``.json``) holds the genotypes of all
parts of one search, plus optionally the architecture-parameter values and the search step::

    format: mmmtnas-genotype
    version: 1
    step: 1200
    parts:
      backbone:
        cells:
          normal:
            nodes:                      # one list per intermediate node
            - [[sep_conv_3x3, 0], [sep_conv_3x3, 1]]
            - ...
            concat: [2, 3, 4, 5]
          reduce: {...}
    alphas:                             # raw architecture parameters, by readable name
      backbone.normal: [[...], ...]

Node indices count the two cell inputs first: 0 and 1 are the inputs, 2 is the first
intermediate node. Files are written atomically; the loader validates everything and reports
the first problem in one line naming the file, part, cell and node.
"""
import json
import os
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import yaml

from mmmtnas.registry import CANDIDATE_OPS
from .file_io import is_json_path, read_versioned_file, write_text_atomically

FORMAT = 'mmmtnas-genotype'
VERSION = 1

OpEdge = Tuple[str, int]  # (op name, input node index)


class _FlowList(list):
    """A list written on one YAML line (a node's ``[[op, input], ...]``)."""


class _GenotypeDumper(yaml.SafeDumper):
    pass


_GenotypeDumper.add_representer(
    _FlowList, lambda dumper, data: dumper.represent_sequence(
        'tag:yaml.org,2002:seq', data, flow_style=True))


class GenotypeError(ValueError):
    """A genotype (file) is malformed; the message names what and where."""


def _known_ops() -> Tuple[str, ...]:
    # The registry imports the modules that register the ops; structures name no model module.
    CANDIDATE_OPS.import_from_location()
    return tuple(CANDIDATE_OPS.module_dict)


@dataclass(frozen=True)
class CellGenotype:
    """The discrete structure of one cell.

    Args:
        nodes (tuple): One entry per intermediate node: a tuple of ``(op, input index)``.
        concat (tuple[int]): Node indices concatenated into the cell output.
    """

    nodes: Tuple[Tuple[OpEdge, ...], ...]
    concat: Tuple[int, ...]

    @classmethod
    def create(cls, nodes: Iterable[Iterable[Sequence]], concat: Iterable[int]) -> 'CellGenotype':
        """Build from nested lists (as read from a file), normalising to tuples."""
        return cls(
            nodes=tuple(tuple((str(op), int(idx)) for op, idx in node) for node in nodes),
            concat=tuple(int(i) for i in concat))

    @classmethod
    def from_darts(cls, edges: Sequence[OpEdge], concat: Iterable[int],
                   inputs_per_node: int = 2) -> 'CellGenotype':
        """Build from the DARTS reference's flat list ``[(op, input), ...]``, 2 per node."""
        edges = list(edges)
        nodes = [edges[i:i + inputs_per_node] for i in range(0, len(edges), inputs_per_node)]
        return cls.create(nodes, concat)

    @property
    def num_nodes(self) -> int:
        """int: Number of intermediate nodes."""
        return len(self.nodes)

    def count_op(self, op: str) -> int:
        """Return how many edges of the cell use ``op``."""
        return sum(name == op for node in self.nodes for name, _ in node)

    def canonical(self) -> 'CellGenotype':
        """Return the same cell with each node's inputs sorted by (input, op).

        Derivation lists a node's edges strongest first; two derivations of the same
        structure may differ in that order only. Compare ``canonical()`` forms to ask "did the
        architecture change?".
        """
        return CellGenotype(tuple(tuple(sorted(node, key=lambda e: (e[1], e[0])))
                                  for node in self.nodes), self.concat)

    def to_dict(self) -> dict:
        """Return a plain, file-ready dict."""
        return dict(nodes=[[[op, idx] for op, idx in node] for node in self.nodes],
                    concat=list(self.concat))


@dataclass(frozen=True)
class Genotype:
    """The discrete architecture of one searchable part: a cell genotype per cell key.

    Args:
        cells (Mapping[str, CellGenotype]): E.g. ``{'normal': ..., 'reduce': ...}``.
    """

    cells: Mapping[str, CellGenotype]

    def __post_init__(self) -> None:
        object.__setattr__(self, 'cells', dict(self.cells))

    def __getitem__(self, key: str) -> CellGenotype:
        if key not in self.cells:
            raise GenotypeError(f'genotype has no cell {key!r} (cells: {sorted(self.cells)})')
        return self.cells[key]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Genotype) and dict(self.cells) == dict(other.cells)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.cells.items())))

    @classmethod
    def from_darts(cls, normal: Sequence[OpEdge], normal_concat: Iterable[int],
                   reduce: Sequence[OpEdge], reduce_concat: Iterable[int]) -> 'Genotype':
        """Build from the fields of the DARTS reference ``Genotype`` namedtuple."""
        return cls({'normal': CellGenotype.from_darts(normal, normal_concat),
                    'reduce': CellGenotype.from_darts(reduce, reduce_concat)})

    def canonical(self) -> 'Genotype':
        """Return the genotype with every cell in :meth:`CellGenotype.canonical` form."""
        return Genotype({k: v.canonical() for k, v in self.cells.items()})

    def same_structure(self, other: 'Genotype') -> bool:
        """Whether both describe the same cells, ignoring the order of a node's inputs."""
        return self.canonical() == other.canonical()

    def count_op(self, op: str, cell: Optional[str] = None) -> int:
        """Count edges using ``op`` in one cell (or all cells when ``cell`` is None)."""
        cells = [self[cell]] if cell is not None else list(self.cells.values())
        return sum(c.count_op(op) for c in cells)

    def to_dict(self) -> dict:
        """Return a plain, file-ready dict."""
        return dict(cells={k: v.to_dict() for k, v in self.cells.items()})

    @classmethod
    def from_dict(cls, data: Mapping, where: str = 'genotype', **check_kwargs) -> 'Genotype':
        """Build from a plain dict and validate it (see :func:`check_genotype`).

        Args:
            data (Mapping): ``dict(cells={key: dict(nodes=..., concat=...)})``.
            where (str): Prefix for error messages (file and part).
            **check_kwargs: Passed to :func:`check_genotype`.

        Returns:
            Genotype: The validated genotype.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get('cells'), Mapping) \
                or not data['cells']:
            raise GenotypeError(f'{where}: expected a mapping with a non-empty `cells` mapping')
        cells = {}
        for key, cell in data['cells'].items():
            at = f'{where} cell {key!r}'
            if not isinstance(cell, Mapping) or 'nodes' not in cell or 'concat' not in cell:
                raise GenotypeError(f'{at}: expected keys `nodes` and `concat`')
            if not isinstance(cell['nodes'], list):
                raise GenotypeError(f'{at}: `nodes` must be a list, got {cell["nodes"]!r}')
            for n, node in enumerate(cell['nodes']):
                if not isinstance(node, list) or not all(
                        isinstance(e, (list, tuple)) and len(e) == 2 and isinstance(e[0], str)
                        and isinstance(e[1], int) and not isinstance(e[1], bool)
                        for e in node):
                    raise GenotypeError(f'{at} node {n + 2}: expected a list of [op, input] '
                                        f'pairs, got {node!r}')
            if not isinstance(cell['concat'], list) or not all(
                    isinstance(i, int) for i in cell['concat']):
                raise GenotypeError(f'{at}: `concat` must be a list of node indices, '
                                    f'got {cell["concat"]!r}')
            cells[str(key)] = CellGenotype.create(cell['nodes'], cell['concat'])
        genotype = cls(cells)
        check_genotype(genotype, where=where, **check_kwargs)
        return genotype


def check_genotype(genotype: Genotype,
                   where: str = 'genotype',
                   num_nodes: Optional[int] = None,
                   cells: Optional[Sequence[str]] = None,
                   op_names: Optional[Sequence[str]] = None,
                   inputs_per_node: Optional[int] = 2) -> None:
    """Validate a genotype; raise :class:`GenotypeError` naming the first problem.

    Args:
        genotype (Genotype): The genotype.
        where (str): Prefix for error messages.
        num_nodes (int, optional): Required number of intermediate nodes of every cell.
        cells (Sequence[str], optional): Cell keys that must be present.
        op_names (Sequence[str], optional): Allowed ops. None allows every registered op except
            ``none``.
        inputs_per_node (int, optional): Required number of inputs of every node (2 in DARTS).
    """
    allowed = set(op_names if op_names is not None else _known_ops()) - {'none'}
    for key in cells or ():
        if key not in genotype.cells:
            raise GenotypeError(f'{where}: missing cell {key!r} (has {sorted(genotype.cells)})')
    for key, cell in genotype.cells.items():
        at = f'{where} cell {key!r}'
        if num_nodes is not None and cell.num_nodes != num_nodes:
            raise GenotypeError(f'{at}: has {cell.num_nodes} intermediate nodes, '
                                f'expected {num_nodes}')
        if cell.num_nodes == 0:
            raise GenotypeError(f'{at}: has no intermediate node')
        for n, node in enumerate(cell.nodes):
            node_at = f'{at} node {n + 2}'
            if inputs_per_node is not None and len(node) != inputs_per_node:
                raise GenotypeError(f'{node_at}: has {len(node)} inputs, '
                                    f'expected {inputs_per_node}')
            for op, idx in node:
                if op not in allowed:
                    raise GenotypeError(f'{node_at}: unknown op {op!r} '
                                        f'(allowed: {sorted(allowed)})')
                if not 0 <= idx < n + 2:
                    raise GenotypeError(f'{node_at}: input {idx} is not an earlier node '
                                        f'(0..{n + 1})')
        total = cell.num_nodes + 2
        if not cell.concat or any(not 0 <= i < total for i in cell.concat):
            raise GenotypeError(f'{at}: concat {list(cell.concat)} must be non-empty node '
                                f'indices in 0..{total - 1}')


# ---------------------------------------------------------------------- files


def _tensor_to_list(value) -> list:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().tolist()
    return value


def dump_genotype_file(path: str,
                       genotypes: Mapping[str, Genotype],
                       alphas: Optional[Mapping[str, object]] = None,
                       step: Optional[int] = None) -> str:
    """Write the genotypes of all parts (and optionally alphas and step) atomically.

    Args:
        path (str): Target file; ``.json`` writes JSON, anything else YAML.
        genotypes (Mapping[str, Genotype]): Part name -> genotype.
        alphas (Mapping[str, Tensor | list], optional): Architecture-parameter values by
            readable name (``model.arch_params.values_dict()``).
        step (int, optional): Search iteration the genotypes were derived at.

    Returns:
        str: ``path``.
    """
    if not genotypes:
        raise GenotypeError(f'{path}: refusing to write a genotype file with no part')
    data = dict(format=FORMAT, version=VERSION)
    if step is not None:
        data['step'] = int(step)
    data['parts'] = {str(k): g.to_dict() for k, g in genotypes.items()}
    for part in data['parts'].values():
        for cell in part['cells'].values():
            # one line per node in YAML; to_dict() itself stays plain lists (checkpointable)
            cell['nodes'] = [_FlowList(node) for node in cell['nodes']]
    if alphas is not None:
        data['alphas'] = {str(k): _tensor_to_list(v) for k, v in alphas.items()}
    if is_json_path(path):
        text = json.dumps(data, indent=2)
    else:
        text = yaml.dump(data, Dumper=_GenotypeDumper, sort_keys=False,
                         default_flow_style=None, width=100)
    write_text_atomically(path, text, prefix='.genotype-')
    return str(path)


def read_genotype_file(path: str) -> dict:
    """Read and check the envelope of a genotype file (format, version, parts).

    Args:
        path (str): The file.

    Returns:
        dict: The raw content.
    """
    data = read_versioned_file(path, 'genotype', FORMAT, VERSION, GenotypeError)
    if not isinstance(data.get('parts'), dict) or not data['parts']:
        raise GenotypeError(f'{path}: `parts` must be a non-empty mapping')
    return data


def load_genotype_file(path: str,
                       parts: Optional[Sequence[str]] = None,
                       **check_kwargs) -> Dict[str, Genotype]:
    """Load and validate the genotypes of a file.

    Args:
        path (str): The file.
        parts (Sequence[str], optional): Parts that must be present.
        **check_kwargs: Requirements passed to :func:`check_genotype` for every part
            (``num_nodes``, ``cells``, ``op_names``, ``inputs_per_node``).

    Returns:
        dict[str, Genotype]: Part name -> genotype.
    """
    data = read_genotype_file(path)
    for part in parts or ():
        if part not in data['parts']:
            raise GenotypeError(f'{path}: missing part {part!r} (parts in file: '
                                f'{sorted(data["parts"])})')
    return {name: Genotype.from_dict(value, where=f'{path} part {name!r}', **check_kwargs)
            for name, value in data['parts'].items()}


def load_genotype(genotype: Union[str, Genotype, Mapping],
                  part: str,
                  **check_kwargs) -> Genotype:
    """Resolve a genotype given as a file path, a :class:`Genotype` or a dict.

    Derived parts accept all three in their config: a file written by a search, or an inline
    genotype (``dict(cells=...)`` or a full file-like ``dict(parts=...)``).

    Args:
        genotype (str | Genotype | Mapping): The genotype or where to find it.
        part (str): Part name to take from a file / ``parts`` mapping.
        **check_kwargs: Requirements passed to :func:`check_genotype`.

    Returns:
        Genotype: The validated genotype of ``part``.
    """
    if isinstance(genotype, (str, os.PathLike)):
        path = str(genotype)
        data = read_genotype_file(path)
        if part not in data['parts']:
            raise GenotypeError(f'{path}: missing part {part!r} (parts in file: '
                                f'{sorted(data["parts"])})')
        # only the requested part has to meet this consumer's requirements
        return Genotype.from_dict(data['parts'][part], where=f'{path} part {part!r}',
                                  **check_kwargs)
    if isinstance(genotype, Genotype):
        check_genotype(genotype, where=f'genotype of {part!r}', **check_kwargs)
        return genotype
    if isinstance(genotype, Mapping):
        if 'parts' in genotype:
            if part not in genotype['parts']:
                raise GenotypeError(f'inline genotype: missing part {part!r} '
                                    f'(parts: {sorted(genotype["parts"])})')
            genotype = genotype['parts'][part]
        return Genotype.from_dict(genotype, where=f'inline genotype of {part!r}', **check_kwargs)
    raise TypeError(f'genotype must be a file path, a Genotype or a dict, '
                    f'got {type(genotype).__name__}')


def genotype_alphas(path: str) -> Dict[str, List]:
    """Return the architecture-parameter values stored in a genotype file (may be empty)."""
    return dict(read_genotype_file(path).get('alphas') or {})
