"""Turn off oneDNN (mkldnn) CPU kernels where torch 2.14's build of them is broken.

With torch 2.14.1 (oneDNN 3.12) on CPUs whose best instruction set is AVX2, the backward pass
of the small convolutions in DARTS cells corrupts the heap (``free(): invalid next size``,
``corrupted size vs. prev_size``, found in ``mkldnn_convolution_backward_weights`` with gdb) with
one thread, and spins forever with two. Every single convolution shape passes alone; whole cells
do not. PyTorch's native CPU kernels give the same results, so on such a machine they are used
instead. ``MMMTNAS_ONEDNN=1`` keeps oneDNN on; ``MMMTNAS_ONEDNN=0`` turns it off anywhere.
"""
import os

import torch


def onednn_is_broken() -> bool:
    """Whether this torch build and CPU are the combination known to break oneDNN backward."""
    capability = getattr(torch.backends.cpu, 'get_cpu_capability', lambda: '')()
    return torch.__version__.startswith('2.14.') and capability == 'AVX2'


def apply_onednn_guard() -> bool:
    """Turn oneDNN off when it is broken here (or when ``MMMTNAS_ONEDNN=0``).

    Returns:
        bool: Whether oneDNN is enabled afterwards.
    """
    choice = os.environ.get('MMMTNAS_ONEDNN', '')
    if choice not in ('', '0', '1'):
        raise ValueError(f'MMMTNAS_ONEDNN={choice!r}: expected 0 (off) or 1 (on)')
    if choice == '0' or (choice == '' and onednn_is_broken()):
        torch.backends.mkldnn.enabled = False
    return torch.backends.mkldnn.enabled
