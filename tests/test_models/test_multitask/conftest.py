"""Fixtures for the multi-task model tests; helpers live in det_seg_testing.py (a uniquely
named module: several conftest.py files exist in the suite)."""
import pytest
import torch

from det_seg_testing import tiny_model_cfg


@pytest.fixture
def tiny_model():
    from mmmtnas.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(tiny_model_cfg())
