"""mmmtnas registries: one child of each MMEngine root, so that ``type='mmmtnas.X'`` resolves
from any OpenMMLab config (MMDetection, MMSegmentation, MMPretrain or ours).

Each registry names the modules that fill it (``locations``); MMEngine imports them only when a
name is first looked up, so importing ``mmmtnas`` stays cheap and a stock config needs nothing
but ``custom_imports=dict(imports=['mmmtnas'])``.

:func:`register_all_modules` is the one place that imports every room of the package.
"""
import datetime
import functools
import inspect
import warnings

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOG_PROCESSORS as MMENGINE_LOG_PROCESSORS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODEL_WRAPPERS as MMENGINE_MODEL_WRAPPERS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import \
    OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import RUNNERS as MMENGINE_RUNNERS
from mmengine.registry import TASK_UTILS as MMENGINE_TASK_UTILS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import \
    WEIGHT_INITIALIZERS as MMENGINE_WEIGHT_INITIALIZERS
from mmengine.registry import (DefaultScope, Registry, build_from_cfg,
                               build_model_from_cfg)

# Toolboxes whose classes build unscoped parts inside their __init__.
UPSTREAM_SCOPES = ('mmdet', 'mmseg', 'mmpretrain')


def _home_scope(obj_cls: type):
    """The toolbox a class belongs to: its own, or that of the upstream class it extends."""
    for klass in obj_cls.__mro__:
        root = klass.__module__.split('.', 1)[0]
        if root in UPSTREAM_SCOPES:
            return root
    return None


def _in_home_scope(build_func):
    """Wrap a build function so that a class is constructed with its toolbox as the default
    scope, as ``_scope_=`` would do. A ``type='mmdet.X'`` prefix finds the class but leaves the
    current scope in force while it is constructed, so the unscoped names an upstream class (or
    our subclass of one) builds inside itself, an SSDHead's ``BboxOverlaps2D`` or a decode
    head's ``CrossEntropyLoss``, would be looked up in ``mmmtnas`` and missed."""

    def build(cfg, registry, *args, **kwargs):
        obj_type = cfg.get('type') if isinstance(cfg, dict) else None
        if isinstance(obj_type, str) and '_scope_' not in cfg:
            obj_cls = registry.get(obj_type)
            scope = _home_scope(obj_cls) if obj_cls is not None else None
            if scope is not None:
                cfg = type(cfg)(cfg, type=obj_cls, _scope_=scope)
        return build_func(cfg, registry, *args, **kwargs)

    return build


class HomeScopeRegistry(Registry):
    """A registry whose classes that extend an upstream class (our ``SSDHead`` of mmdet's, our
    decode heads of mmseg's ``BaseDecodeHead``) run ``__init__`` in the upstream scope, whoever
    builds them: the upstream ``__init__`` builds its own parts by unscoped names."""

    def _register_module(self, module, module_name=None, force=False) -> None:
        scope = _home_scope(module) if inspect.isclass(module) else None
        if scope is not None and module.__module__.startswith('mmmtnas'):
            init = module.__init__

            @functools.wraps(init)
            def __init__(obj, *args, **kwargs):
                with DefaultScope.overwrite_default_scope(scope):
                    init(obj, *args, **kwargs)

            module.__init__ = __init__
        super()._register_module(module, module_name, force)


RUNNERS = Registry('runner', parent=MMENGINE_RUNNERS, locations=['mmmtnas.engine'])
LOOPS = Registry('loop', parent=MMENGINE_LOOPS, locations=['mmmtnas.engine.loops'])
HOOKS = Registry('hook', parent=MMENGINE_HOOKS, locations=['mmmtnas.engine.hooks'])
# How a pipeline stage's starting weights are gathered from earlier stages (init.pth).
WEIGHT_TRANSFORMS = Registry(
    'weight transform', scope='mmmtnas', locations=['mmmtnas.engine.runner'])
# Which phases each iteration of a search runs, on which data source (mmmtnas.SearchLoop).
SEARCH_SCHEDULES = Registry(
    'search schedule', scope='mmmtnas', locations=['mmmtnas.engine.loops.search_schedules'])

DATASETS = Registry('dataset', parent=MMENGINE_DATASETS, locations=['mmmtnas.datasets'])
DATA_SAMPLERS = Registry(
    'data sampler', parent=MMENGINE_DATA_SAMPLERS, locations=['mmmtnas.datasets'])
TRANSFORMS = Registry(
    'transform', parent=MMENGINE_TRANSFORMS, locations=['mmmtnas.datasets'])

MODELS = HomeScopeRegistry(
    'model', parent=MMENGINE_MODELS, locations=['mmmtnas.models'],
    build_func=_in_home_scope(build_model_from_cfg))
MODEL_WRAPPERS = Registry(
    'model_wrapper', parent=MMENGINE_MODEL_WRAPPERS, locations=['mmmtnas.models'])
WEIGHT_INITIALIZERS = Registry(
    'weight initializer', parent=MMENGINE_WEIGHT_INITIALIZERS,
    locations=['mmmtnas.models'])
TASK_UTILS = HomeScopeRegistry(
    'task util', parent=MMENGINE_TASK_UTILS, locations=['mmmtnas.models'],
    build_func=_in_home_scope(build_from_cfg))

OPTIMIZERS = Registry(
    'optimizer', parent=MMENGINE_OPTIMIZERS, locations=['mmmtnas.engine.optimizers'])
OPTIM_WRAPPERS = Registry(
    'optim_wrapper', parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['mmmtnas.engine.optimizers'])
OPTIM_WRAPPER_CONSTRUCTORS = Registry(
    'optimizer wrapper constructor', parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['mmmtnas.engine.optimizers'])
PARAM_SCHEDULERS = Registry(
    'parameter scheduler', parent=MMENGINE_PARAM_SCHEDULERS,
    locations=['mmmtnas.engine'])

# DARTS candidate ops: a registry of op *builders* (functions), separate from MODELS, since op
# names such as 'max_pool_3x3' are a search-space vocabulary, not model types one builds from a
# config. It lives here so that genotype files (structures) can check op names without
# importing the model zoo.
CANDIDATE_OPS = Registry(
    'darts candidate op', scope='mmmtnas', locations=['mmmtnas.models.nas.operations'])

# Branching methods (FAFS, BMN, random trees): functions from a trained model (or a target branch
# file) to a branch structure. A registry, so that the engine's hooks reach them by name without
# importing model code.
BRANCHING_METHODS = Registry(
    'branching method', scope='mmmtnas',
    locations=['mmmtnas.models.branched.branching_methods'])

METRICS = Registry('metric', parent=MMENGINE_METRICS, locations=['mmmtnas.evaluation'])
EVALUATOR = Registry(
    'evaluator', parent=MMENGINE_EVALUATOR, locations=['mmmtnas.evaluation'])

VISUALIZERS = Registry(
    'visualizer', parent=MMENGINE_VISUALIZERS, locations=['mmmtnas.visualization'])
VISBACKENDS = Registry(
    'vis_backend', parent=MMENGINE_VISBACKENDS, locations=['mmmtnas.visualization'])
LOG_PROCESSORS = Registry(
    'log_processor', parent=MMENGINE_LOG_PROCESSORS, locations=['mmmtnas.engine'])


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmmtnas module so that all its classes are in the registries.

    The imports happen here, in the module every room may import, so that no lower room (utils,
    structures) has to know the rooms above it.

    Args:
        init_default_scope (bool): Whether to make ``mmmtnas`` the default scope, so that
            unprefixed ``type=`` names are looked up in mmmtnas first, then in the MMEngine
            root. Defaults to True.
    """
    import mmmtnas.datasets  # noqa: F401,F811
    import mmmtnas.engine  # noqa: F401,F811
    import mmmtnas.evaluation  # noqa: F401,F811
    import mmmtnas.models  # noqa: F401,F811
    import mmmtnas.structures  # noqa: F401,F811
    import mmmtnas.visualization  # noqa: F401,F811

    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmmtnas'):
        DefaultScope.get_instance('mmmtnas', scope_name='mmmtnas')
    elif current.scope_name != 'mmmtnas':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "mmmtnas"; '
                      '`register_all_modules` creates a new one named after the current time.')
        new_name = f'mmmtnas-{datetime.datetime.now()}'
        DefaultScope.get_instance(new_name, scope_name='mmmtnas')
