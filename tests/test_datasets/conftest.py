"""Shared fixtures of the dataset tests."""
import logging

import pytest
from mmengine.logging import MMLogger

from mmmtnas.testing import make_toy_driving

# Tiny: 4 train + 2 val images per source at 64x128, 32-px ImageNet crops (about a second).
TOY_DRIVING = dict(num_images=4, seed=3, size=(64, 128), crop_size=32)


@pytest.fixture(scope='session')
def toy_driving(tmp_path_factory):
    """The toy driving set written once per session: ``(root, manifest)``."""
    root = tmp_path_factory.mktemp('toy_driving')
    manifest = make_toy_driving(str(root), **TOY_DRIVING)
    return str(root), manifest


class _Records(logging.Handler):
    """Keeps the messages logged to it."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def logged_warnings():
    """Warnings logged through mmengine's current logger during the test (a list of str)."""
    logger = MMLogger.get_current_instance()
    handler = _Records()
    logger.addHandler(handler)
    yield handler.messages
    logger.removeHandler(handler)
