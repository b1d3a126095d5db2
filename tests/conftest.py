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


@pytest.fixture(autouse=True)
def _restore_default_scope():
    """A Runner or register_all_modules() leaves its default scope behind for the rest of the
    process; give every test the scope state it started with."""
    before = dict(DefaultScope._instance_dict)
    yield
    DefaultScope._instance_dict.clear()
    DefaultScope._instance_dict.update(before)
