"""Nothing in mmmtnas imports upward (the rooms of the design: structures know no model, utils
know no engine, ...). Every import counts, lazy ones inside functions included.

Run as a script to list the offending edges: ``python tests/test_import_layers.py``.
"""
import ast
import os.path as osp
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

from repo_paths import REPO_ROOT

# Room -> the rooms it must not import. A module belongs to the longest room that prefixes its
# name; ``mmmtnas`` itself and ``mmmtnas.registry`` (which knows every room, for
# ``register_all_modules``) are in no room.
_PART_ROOMS = ('models.nas', 'models.branched', 'models.dense', 'models.multitask',
               'models.wrappers')
_ROOMS: Dict[str, Tuple[str, ...]] = {
    'utils': ('structures', 'visualization', 'datasets', 'evaluation', 'models', 'engine'),
    'structures': ('datasets', 'evaluation', 'models', 'engine'),
    'visualization': ('datasets', 'evaluation', 'models', 'engine'),
    'datasets': ('evaluation', 'models', 'engine'),
    'evaluation': ('models', 'engine'),
    'models': ('engine', ),
    'models.search': _PART_ROOMS + ('models.algorithms', 'models.mtnas', 'engine'),
    **{room: ('models.algorithms', 'models.mtnas', 'engine') for room in _PART_ROOMS},
    'engine': (),
    # loops and hooks talk to small protocols (the algorithm's step, its export), never to
    # concrete model classes; optimiser constructors may use the neutral models.search only
    'engine.loops': ('models', ),
    'engine.hooks': ('models', ),
    'engine.optimizers': _PART_ROOMS + ('models.algorithms', ),
    'testing': ('models', 'engine'),
}
# The toy data writers serve the tests and tools; the library itself never needs them.
FORBIDDEN: Dict[str, Tuple[str, ...]] = {
    room: rooms + (('testing', ) if room != 'testing' else ())
    for room, rooms in _ROOMS.items()
}


class Edge(NamedTuple):
    """One import of an mmmtnas module by another."""
    importer: str
    imported: str
    path: str
    lineno: int

    def __str__(self) -> str:
        return f'{self.path}:{self.lineno}: {self.importer} imports {self.imported}'


def _module_name(path: Path, root: Path) -> Tuple[str, str]:
    """Return the dotted name of the module at ``path`` and of the package it lives in."""
    parts = list(path.relative_to(root.parent).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
        return '.'.join(parts), '.'.join(parts)
    return '.'.join(parts), '.'.join(parts[:-1])


def _imported_names(node: ast.AST, package: str) -> List[str]:
    """The absolute module names one AST node imports (none for other nodes)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if not node.level:
            return [node.module]
        base = package.split('.')[:len(package.split('.')) - node.level + 1]
        if node.module:
            return ['.'.join(base + [node.module])]
        return ['.'.join(base + [alias.name]) for alias in node.names]
    if (isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', None))
            == 'import_module' and node.args and isinstance(node.args[0], ast.Constant)):
        return [node.args[0].value]
    return []


def import_edges(package_dir: str) -> Iterator[Edge]:
    """Yield every import, at any depth of every module under ``package_dir``, of a module of
    the same top-level package."""
    root = Path(package_dir)
    for path in sorted(root.rglob('*.py')):
        module, package = _module_name(path, root)
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            for name in _imported_names(node, package):
                if name == root.name or name.startswith(root.name + '.'):
                    yield Edge(module, name, str(path), node.lineno)


def room_of(module: str) -> Optional[str]:
    """The room of a dotted module name (``mmmtnas.models.nas.cells`` -> ``models.nas``)."""
    name = module.split('.', 1)[1] if '.' in module else ''
    rooms = [r for r in FORBIDDEN if name == r or name.startswith(r + '.')]
    return max(rooms, key=len) if rooms else None


def upward_edges(edges) -> List[Edge]:
    """The edges whose importer's room may not import the imported module's room."""
    bad = []
    for edge in edges:
        room = room_of(edge.importer)
        target = edge.imported.split('.', 1)[1] if '.' in edge.imported else ''
        if room and any(target == r or target.startswith(r + '.') for r in FORBIDDEN[room]):
            bad.append(edge)
    return bad


def _write(root: Path, rel: str, text: str = '') -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_no_module_of_the_package_imports_upward():
    edges = list(import_edges(osp.join(REPO_ROOT, 'mmmtnas')))
    assert len(edges) > 50  # the parser does see the package's imports
    bad = upward_edges(edges)
    assert not bad, 'upward imports:\n' + '\n'.join(map(str, bad))


def test_checker_flags_lazy_relative_and_dynamic_upward_imports(tmp_path):
    pkg = tmp_path / 'mmmtnas'
    _write(pkg, '__init__.py')
    _write(pkg, 'structures/__init__.py', 'from . import genotype\n')
    _write(pkg, 'structures/genotype.py', (
        'def known_ops():\n'
        '    from mmmtnas.models.nas.operations import known_ops\n'
        '    return known_ops()\n'))
    _write(pkg, 'utils/setup_env.py', (
        'import importlib\n'
        'from ..registry import MODELS\n'
        'def register():\n'
        '    importlib.import_module("mmmtnas.engine")\n'))
    _write(pkg, 'models/nas/cells.py', (
        'from mmmtnas.structures.genotype import Genotype\n'
        'from ..algorithms import bilevel_search\n'))
    _write(pkg, 'engine/hooks/export.py', 'from mmmtnas.models.nas import derive_genotypes\n')
    _write(pkg, 'datasets/toy.py', 'from mmmtnas.testing import make_toy_dense\n')
    bad = {(e.importer, e.imported) for e in upward_edges(import_edges(str(pkg)))}
    assert bad == {
        ('mmmtnas.structures.genotype', 'mmmtnas.models.nas.operations'),
        ('mmmtnas.utils.setup_env', 'mmmtnas.engine'),
        ('mmmtnas.models.nas.cells', 'mmmtnas.models.algorithms'),
        ('mmmtnas.engine.hooks.export', 'mmmtnas.models.nas'),  # a hook names a concrete part
        ('mmmtnas.datasets.toy', 'mmmtnas.testing'),
    }


def test_importing_the_lower_rooms_loads_no_model_or_engine_module():
    probe = ('import sys, mmmtnas.utils, mmmtnas.structures, mmmtnas.datasets, mmmtnas.testing\n'
             'from mmmtnas.structures import load_genotype\n'
             "print(sorted(m for m in sys.modules if m.startswith(('mmmtnas.models', "
             "'mmmtnas.engine'))))")
    proc = subprocess.run([sys.executable, '-c', probe], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split('\n')[-2] == '[]'


if __name__ == '__main__':
    found = upward_edges(import_edges(osp.join(REPO_ROOT, 'mmmtnas')))
    print('\n'.join(map(str, found)) or 'no upward import')
    sys.exit(1 if found else 0)
