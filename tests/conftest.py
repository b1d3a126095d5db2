import os
import os.path as osp
import sys

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
FIXTURES = osp.join(REPO_ROOT, 'tests', 'fixtures')
if FIXTURES not in sys.path:
    sys.path.insert(0, FIXTURES)
os.environ.setdefault('PYTHONHASHSEED', '0')
