"""Shared fixtures of the dataset tests."""
import pytest

from mmmtnas.testing import make_toy_driving

# Tiny: 4 train + 2 val images per source at 64x128, 32-px ImageNet crops (about a second).
TOY_DRIVING = dict(num_images=4, seed=3, size=(64, 128), crop_size=32)


@pytest.fixture(scope='session')
def toy_driving(tmp_path_factory):
    """The toy driving set written once per session: ``(root, manifest)``."""
    root = tmp_path_factory.mktemp('toy_driving')
    manifest = make_toy_driving(str(root), **TOY_DRIVING)
    return str(root), manifest
