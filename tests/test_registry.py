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
    from mmmtnas.registry import register_all_modules
    register_all_modules()
    assert DefaultScope.get_current_instance().scope_name == 'mmmtnas'
    # Each family registers on import.
    assert MODELS.get('DeviceAgnosticDDP') is None  # a wrapper, not a model
    assert LOOPS.scope == 'mmmtnas'


def test_scoped_upstream_part_builds_its_own_parts_under_mmmtnas_default_scope():
    """mmdet's SSDHead builds an unscoped SSDAnchorGenerator and BboxOverlaps2D inside itself;
    built through mmmtnas's registry while 'mmmtnas' is the default scope, those must still
    resolve in mmdet, and the default scope must be back to 'mmmtnas' afterwards."""
    from mmengine.registry import DefaultScope

    from mmmtnas.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmmtnas'):
        head = MODELS.build(dict(
            type='mmdet.SSDHead', num_classes=3, in_channels=(8, 8),
            anchor_generator=dict(
                type='SSDAnchorGenerator', scale_major=False, input_size=64, strides=[8, 16],
                ratios=([2], [2]), min_sizes=[10, 30], max_sizes=[30, 60]),
            train_cfg=dict(
                assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                              min_pos_iou=0.),
                sampler=dict(type='PseudoSampler'), smoothl1_beta=1., allowed_border=-1,
                pos_weight=-1, neg_pos_ratio=3, debug=False)))
        assert DefaultScope.get_current_instance().scope_name == 'mmmtnas'
    assert type(head.assigner.iou_calculator).__module__.startswith('mmdet.')
    assert type(head.prior_generator).__name__ == 'SSDAnchorGenerator'
