"""mmmtnas: multi-task neural architecture search (MTNAS, BMTAS) as an OpenMMLab 2.x plugin.

Importing the package creates the ``mmmtnas`` child registries; the modules that fill them are
imported lazily on first lookup (see :mod:`mmmtnas.registry`).
"""
from . import registry  # noqa: F401  (creates the 'mmmtnas' registry scope)
from .utils.onednn_guard import apply_onednn_guard
from .utils.torch_compat import install_checkpoint_safe_globals
from .version import __version__

# Checkpoints written by mmengine hold a few non-tensor types; torch >= 2.6 refuses them under
# weights_only=True unless they are allow-listed.
install_checkpoint_safe_globals()
# torch 2.14's oneDNN convolution backward corrupts the heap on AVX2-only CPUs.
apply_onednn_guard()

__all__ = ['__version__']
