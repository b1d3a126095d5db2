"""Branch files: the branching structure a BMTAS search found, as a readable file.

A branch file (YAML, or JSON when the name ends in ``.json``) names, for every task and every
encoder layer, the copy the task routes through; tasks share a layer's computation when they
took the same copy at that layer and at every layer before it. Alongside: the routing
probabilities, the per-layer cost table and the expected / derived MAdds::

    format: mmmtnas-branches
    version: 1
    tasks: [semseg, human_parts, sal]
    layers: [layer1.0, layer2.0, ..., raspp]
    routing:                       # chosen copy, per task, per layer
      semseg: {layer1.0: 0, layer2.0: 0, ...}
      human_parts: {layer1.0: 0, layer2.0: 1, ...}
    groups:                        # the resulting tree, per layer (written for reading only)
      layer1.0: [[semseg, human_parts, sal]]
      layer2.0: [[semseg, sal], [human_parts]]
    probabilities:                 # softmax(alpha): per layer, per task, over the copies
      layer1.0: {semseg: [0.91, 0.05, 0.04], ...}
    madds:
      input_size: [256, 256]
      layer_costs: {layer1.0: 1.2e7, ...}   # one copy of each layer, at input_size
      stem: 5.5e6                  # shared stem (not searched)
      expected: 2.1e8              # searchable layers, expectation under the probabilities
      derived: 1.9e8               # stem + sum over layers of (#groups x layer cost)
    meta: {resource_weight: 0.05, iteration: 40000}

Files are written atomically; :func:`load_branch_file` validates and reports the first problem
in one line naming the file and the key.
"""
import json
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import yaml

from .file_io import is_json_path, read_versioned_file, write_text_atomically

FORMAT = 'mmmtnas-branches'
VERSION = 1


class BranchFileError(ValueError):
    """A branch file (or structure) is malformed; the message names the file and the key."""


def branch_groups(routing: Dict[str, Dict[str, int]], tasks: Sequence[str],
                  layers: Sequence[str]) -> Dict[str, List[List[str]]]:
    """Group tasks per layer: two tasks share layer ``l`` iff they took the same copy at every
    layer up to ``l``.

    Args:
        routing (dict): ``routing[task][layer] -> copy``.
        tasks (Sequence[str]): Task order (groups list tasks in this order).
        layers (Sequence[str]): Layer order.

    Returns:
        dict[str, list[list[str]]]: Per layer, the groups of tasks computed together.
    """
    groups, prefix = {}, {t: () for t in tasks}
    for layer in layers:
        for t in tasks:
            prefix[t] = prefix[t] + (routing[t][layer], )
        by_prefix: Dict[tuple, List[str]] = {}
        for t in tasks:
            by_prefix.setdefault(prefix[t], []).append(t)
        groups[layer] = list(by_prefix.values())
    return groups


def layer_mismatch(got: Sequence[str], expected: Sequence[str], expected_name: str
                   ) -> Optional[str]:
    """Say how a list of layer names differs from the one it must equal, or None if equal.

    Args:
        got (Sequence[str]): Layer names as found.
        expected (Sequence[str]): The required names, in the required order.
        expected_name (str): What ``expected`` is, for the message (e.g. ``'the encoder'``).

    Returns:
        str | None: A phrase to follow the name of what was checked: the count and the
        unknown / missing names when the sets differ, otherwise the first position where the
        order differs.
    """
    got, expected = list(got), list(expected)
    if got == expected:
        return None
    unknown = [k for k in got if k not in expected]
    missing = [k for k in expected if k not in got]
    if unknown or missing or len(got) != len(expected):
        parts = [f'unknown {unknown[:3]}' if unknown else '',
                 f'missing {missing[:3]}' if missing else '']
        detail = ', '.join(p for p in parts if p) or 'repeated names'
        return (f'has {len(got)} layers, expected the {len(expected)} layers of '
                f'{expected_name} ({detail})')
    pos = next(i for i, (a, b) in enumerate(zip(got, expected)) if a != b)
    return (f'has the layers of {expected_name} in the wrong order: position {pos} is '
            f'{got[pos]!r} where {expected_name} has {expected[pos]!r}')


@dataclass
class BranchStructure:
    """The branching structure of a multi-task encoder.

    Attributes:
        tasks (list[str]): Task names.
        layers (list[str]): Searchable layer names, in execution order.
        routing (dict): ``routing[task][layer] -> copy index`` in ``[0, len(tasks))``.
        probabilities (dict, optional): ``probabilities[layer][task] -> list of T floats``.
        madds (dict): Cost information (see the module docstring); may be empty.
        meta (dict): Free-form information (search settings, iteration).
    """
    tasks: List[str]
    layers: List[str]
    routing: Dict[str, Dict[str, int]]
    probabilities: Optional[Dict[str, Dict[str, List[float]]]] = None
    madds: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_routing(cls, tasks: Sequence[str], layers: Sequence[str], routing,
                     probabilities=None, **kwargs) -> 'BranchStructure':
        """Build from a ``[L, T]`` routing array (and optionally ``[L, T, T]`` probabilities).

        Args:
            tasks (Sequence[str]): Task names (column order).
            layers (Sequence[str]): Layer names (row order).
            routing (array-like): ``routing[l][t]`` = copy of task ``t`` at layer ``l``.
            probabilities (array-like, optional): ``probabilities[l][t][c]``.
            **kwargs: ``madds`` and ``meta``.

        Returns:
            BranchStructure: The validated structure.
        """
        routing = [[int(c) for c in row] for row in _tolist(routing)]
        structure = cls(
            tasks=list(tasks), layers=list(layers),
            routing={t: {layer: routing[i][j] for i, layer in enumerate(layers)}
                     for j, t in enumerate(tasks)},
            probabilities=None if probabilities is None else {
                layer: {t: [float(p) for p in row] for t, row in zip(tasks, rows)}
                for layer, rows in zip(layers, _tolist(probabilities))},
            **kwargs)
        structure.validate()
        return structure

    def routing_matrix(self) -> List[List[int]]:
        """Return ``[L][T]`` copy indices (the layout ``ResourceLoss.derived_cost`` takes)."""
        return [[self.routing[t][layer] for t in self.tasks] for layer in self.layers]

    def groups(self) -> Dict[str, List[List[str]]]:
        """Per layer, the groups of tasks that share its computation."""
        return branch_groups(self.routing, self.tasks, self.layers)

    @classmethod
    def all_shared(cls, tasks: Sequence[str], layers: Sequence[str]) -> 'BranchStructure':
        """Every task takes copy 0 everywhere (the 'Shared' baseline)."""
        return cls.from_routing(tasks, layers, [[0] * len(tasks) for _ in layers])

    @classmethod
    def all_separate(cls, tasks: Sequence[str], layers: Sequence[str]) -> 'BranchStructure':
        """Task ``t`` takes copy ``t`` everywhere (the 'Single' baseline: separate encoders)."""
        return cls.from_routing(tasks, layers, [list(range(len(tasks))) for _ in layers])

    def validate(self, source: str = 'branch structure') -> None:
        """Raise :class:`BranchFileError` on the first inconsistency, naming ``source``."""
        if not self.tasks or len(set(self.tasks)) != len(self.tasks):
            raise BranchFileError(f'{source}: tasks must be a non-empty list of unique names, '
                                  f'got {self.tasks}')
        if not self.layers or len(set(self.layers)) != len(self.layers):
            raise BranchFileError(f'{source}: layers must be a non-empty list of unique names, '
                                  f'got {self.layers}')
        if not isinstance(self.routing, dict):
            raise BranchFileError(f'{source}: routing must map task -> layer -> copy')
        unknown = [t for t in self.routing if t not in self.tasks]
        if unknown:
            raise BranchFileError(f'{source}: routing names unknown task(s) {unknown}; tasks '
                                  f'are {self.tasks}')
        num = len(self.tasks)
        for t in self.tasks:
            row = self.routing.get(t)
            if not isinstance(row, dict):
                raise BranchFileError(f'{source}: routing.{t} is missing or not a mapping of '
                                      'layer -> copy')
            mismatch = layer_mismatch(list(row), self.layers, '`layers`')
            if mismatch:
                raise BranchFileError(f'{source}: routing.{t} {mismatch}')
            for layer, c in row.items():
                if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < num:
                    raise BranchFileError(f'{source}: routing.{t}.{layer} = {c!r} is not a '
                                          f'copy index in [0, {num})')
        if self.probabilities is not None:
            mismatch = layer_mismatch(list(self.probabilities), self.layers, '`layers`')
            if mismatch:
                raise BranchFileError(f'{source}: probabilities {mismatch}')
            for layer, rows in self.probabilities.items():
                if not isinstance(rows, dict) or list(rows) != self.tasks or any(
                        not isinstance(r, list) or len(r) != num for r in rows.values()):
                    raise BranchFileError(f'{source}: probabilities.{layer} must map each task '
                                          f'to {num} probabilities')

    # ------------------------------------------------------------------ as an export
    #: File name a search stage writes it to (in its work dir).
    default_filename = 'branches.yaml'

    def signature(self) -> List[List[int]]:
        """What identifies the architecture: the ``[L][T]`` routing."""
        return self.routing_matrix()

    def dump(self, path: str) -> str:
        """Write the branch file atomically (see :func:`dump_branch_file`)."""
        dump_branch_file(path, self)
        return path

    def draw(self, path: str, title: Optional[str] = None) -> str:
        """Draw the branching tree to an image file."""
        from mmmtnas.visualization.branch_tree import draw_branch_tree
        return draw_branch_tree(self, path, title=title)

    @classmethod
    def load(cls, path: str) -> 'BranchStructure':
        """Read and validate a branch file."""
        return load_branch_file(path)


def _tolist(x):
    return x.tolist() if hasattr(x, 'tolist') else x


def dump_branch_file(path: str, structure: BranchStructure) -> None:
    """Write a branch file atomically (YAML, or JSON if ``path`` ends in '.json').

    Args:
        path (str): Destination.
        structure (BranchStructure): What to write (validated first).
    """
    structure.validate()
    doc = dict(format=FORMAT, version=VERSION, tasks=list(structure.tasks),
               layers=list(structure.layers), routing=structure.routing,
               groups=structure.groups())
    if structure.probabilities is not None:
        doc['probabilities'] = structure.probabilities
    if structure.madds:
        doc['madds'] = structure.madds
    if structure.meta:
        doc['meta'] = structure.meta
    if is_json_path(path):
        text = json.dumps(doc, indent=2)
    else:
        text = yaml.safe_dump(doc, sort_keys=False, default_flow_style=None, width=100)
    write_text_atomically(path, text, prefix='.branches-')


def load_branch_file(path: str,
                     tasks: Optional[Sequence[str]] = None,
                     layers: Optional[Sequence[str]] = None) -> BranchStructure:
    """Read and validate a branch file.

    Args:
        path (str): A file written by :func:`dump_branch_file`.
        tasks (Sequence[str], optional): Tasks the caller serves; every one must be in the
            file (the file may hold more).
        layers (Sequence[str], optional): The caller's encoder layers; the file must have
            exactly these, in order.

    Returns:
        BranchStructure: The structure (restricted to ``tasks`` if given, in their order).

    Raises:
        FileNotFoundError: No such file.
        BranchFileError: Malformed file, unknown task, or wrong layers (one line each).
    """
    doc = read_versioned_file(path, 'branch', FORMAT, VERSION, BranchFileError)
    for key in ('tasks', 'layers', 'routing'):
        if key not in doc:
            raise BranchFileError(f"{path}: missing key '{key}'")
    structure = BranchStructure(
        tasks=list(doc['tasks'] or []), layers=list(doc['layers'] or []),
        routing=doc['routing'], probabilities=doc.get('probabilities'),
        madds=doc.get('madds') or {}, meta=doc.get('meta') or {})
    structure.validate(path)
    mismatch = None if layers is None else layer_mismatch(structure.layers, list(layers),
                                                          'the encoder')
    if mismatch:
        raise BranchFileError(f'{path}: `layers` {mismatch}; was it searched on another '
                              'backbone?')
    if tasks is not None:
        unknown = [t for t in tasks if t not in structure.tasks]
        if unknown:
            raise BranchFileError(f'{path}: no routing for task(s) {unknown}; the file has '
                                  f'{structure.tasks}')
        structure = _restrict(structure, list(tasks))
    return structure


def _restrict(structure: BranchStructure, tasks: List[str]) -> BranchStructure:
    """Keep only ``tasks``; copy indices keep their meaning only up to renaming, so they are
    renumbered by first use per layer position to stay in ``[0, len(tasks))``."""
    if tasks == structure.tasks:
        return structure
    # Renumber: the tree (which tasks share where) is what matters, not the copy labels.
    routing = {t: {} for t in tasks}
    for layer in structure.layers:
        labels: Dict[int, int] = {}
        for t in tasks:
            c = structure.routing[t][layer]
            routing[t][layer] = labels.setdefault(c, len(labels))
    return BranchStructure(tasks=tasks, layers=list(structure.layers), routing=routing,
                           probabilities=None, madds={}, meta=dict(structure.meta))
