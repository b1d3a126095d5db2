import os
import sys

from repo_paths import FIXTURES
if FIXTURES not in sys.path:
    sys.path.insert(0, FIXTURES)
os.environ.setdefault('PYTHONHASHSEED', '0')
# Test models are tiny: one thread per process is faster than two fighting over two cores, and
# subprocesses (tools, torchrun ranks) inherit it.
os.environ.setdefault('OMP_NUM_THREADS', '1')

import torch  # noqa: E402

torch.set_num_threads(1)
