import os
import sys

from repo_paths import FIXTURES
if FIXTURES not in sys.path:
    sys.path.insert(0, FIXTURES)
os.environ.setdefault('PYTHONHASHSEED', '0')
# Test models are tiny: one thread per process is faster than two fighting over two cores, and
# subprocesses (tools, torchrun ranks) inherit it.
os.environ.setdefault('OMP_NUM_THREADS', '1')

import torch  # noqa: E402

torch.set_num_threads(1)

import pytest  # noqa: E402
from mmengine.registry import DefaultScope  # noqa: E402


def _scope_snapshot_restored():
    before = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(before)


# A Runner or register_all_modules() leaves its default scope behind for the rest of the
# process; give every test, and every module (whose fixtures may run Runners), the scope state
# it started with.
_restore_default_scope = pytest.fixture(autouse=True)(_scope_snapshot_restored)
_restore_module_default_scope = pytest.fixture(autouse=True, scope='module')(
    _scope_snapshot_restored)
