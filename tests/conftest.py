import gc
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


@pytest.fixture(autouse=True, scope='module')
def _frozen_heap():
    """Speed only: every MMEngine dataset calls ``gc.collect()`` when it is built, which walks
    the whole heap of the test process (torch, mmdet, earlier modules): about 0.5 s a dataset,
    a third of a toy pipeline's time. The heap a module starts with is frozen (never walked,
    never freed) for the module, and released after it."""
    gc.freeze()
    yield
    gc.unfreeze()


# A Runner or register_all_modules() leaves its default scope behind for the rest of the
# process; give every test, and every module (whose fixtures may run Runners), the scope state
# it started with.
_restore_default_scope = pytest.fixture(autouse=True)(_scope_snapshot_restored)
_restore_module_default_scope = pytest.fixture(autouse=True, scope='module')(
    _scope_snapshot_restored)


# `make test` runs the suite on two pytest-xdist workers with `--dist loadgroup`. Each module is
# one group, so a module's fixtures (toy data sets, end-to-end runs) are built once; modules that
# share the session's toy MTNAS run (tests/fixtures/mtnas_toy_runs.py) form one group, so that
# run is made once.
SHARED_RUN_GROUPS = {
    'test_engine/test_mtnas_pipeline.py': 'mtnas_toy_run',
    'test_configs/test_paper_rows.py': 'mtnas_toy_run',
}


@pytest.hookimpl(tryfirst=True)  # before xdist's worker hook reads the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.nodeid.split('::')[0]
        module = module[len('tests/'):] if module.startswith('tests/') else module
        item.add_marker(pytest.mark.xdist_group(SHARED_RUN_GROUPS.get(module, module)))
