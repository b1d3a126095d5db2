"""Seeded toy data in the real on-disk layouts, for the tests, the demo and the toy configs.

Nothing in the package imports this: the writers are called by
``tools/dataset_converters/make_toy_{driving,dense}.py``, ``tools/demo.sh`` (through them) and
the tests.
"""
from .toy_cifar import make_toy_cifar10
from .toy_dense import make_toy_dense
from .toy_driving import make_toy_driving
from .toy_scene import draw_scene

__all__ = ['make_toy_cifar10', 'make_toy_dense', 'make_toy_driving', 'draw_scene']
