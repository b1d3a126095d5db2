"""`type='mmmtnas.X'` resolves from any OpenMMLab root registry after a bare `import mmmtnas`:
the modules that define X are imported lazily through the registries' `locations`."""
import subprocess
import sys

from repo_paths import REPO_ROOT

PROBE = """
import sys
import mmmtnas
from mmengine.registry import DefaultScope, MODELS, MODEL_WRAPPERS
assert 'mmmtnas.models' not in sys.modules, 'models imported eagerly'
with DefaultScope.overwrite_default_scope('mmengine'):
    loss = MODELS.build(dict(type='mmmtnas.ResourceLoss', mode='exact'))
    wrapper_cls = MODEL_WRAPPERS.get('mmmtnas.DeviceAgnosticDDP')
print(type(loss).__module__, wrapper_cls.__name__)
"""


def test_scoped_type_resolves_lazily_from_root_registry():
    proc = subprocess.run([sys.executable, '-c', PROBE], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    module, wrapper = proc.stdout.split()[-2:]
    assert module == 'mmmtnas.models.branched.resource_loss'
    assert wrapper == 'DeviceAgnosticDDP'


def test_register_all_modules_sets_default_scope():
    from mmengine.registry import DefaultScope

    from mmmtnas.registry import LOOPS, MODELS
    from mmmtnas.utils import register_all_modules
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmmtnas'
    # Each family registers on import.
    assert MODELS.get('DeviceAgnosticDDP') is None  # a wrapper, not a model
    assert LOOPS.scope == 'mmmtnas'
