"""Paths the tests share (a plain module: several conftest.py files exist, so `from conftest
import ...` would pick whichever was imported first)."""
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
FIXTURES = osp.join(REPO_ROOT, 'tests', 'fixtures')
