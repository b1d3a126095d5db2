"""MAdds of a big network at a large input size, from exact counts at small sizes.

Tracing a network of hundreds of G MAdds at full size takes a CPU tens of seconds; the count
is a simple function of the size, so it is taken at small sizes of the same shape class and
extrapolated exactly. With an image of ``(16 n - r_h) x (16 m - r_w)`` (``0 <= r < 16``) every
feature map at stride ``k <= 16`` is ``(16 n / k - floor(r_h / k)) x (16 m / k - floor(r_w /
k))`` (convolutions and pools round up), affine in ``n`` and in ``m``; every op mmengine counts
here (convolution, linear, matmul, bilinear upsampling, adaptive pooling) costs a fixed amount
per element of one such map, or a constant (the 1x1 convolutions after global pooling). So the
MAdds are ``P n m + Q n + R m + S`` (``Q = 0`` when ``r_w = 0``, ``R = 0`` when ``r_h = 0``).
``einsum`` is not exact in mmengine (it rounds NumPy's printed FLOP count): avoid it.
"""
from typing import Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from mmmtnas.models.branched.madds import count_madds

POINTS = [(2, 2), (3, 3), (3, 2), (2, 3)]


def shape_class(size: Sequence[int]) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """``((n, r_h), (m, r_w))`` with ``H = 16 n - r_h``, ``W = 16 m - r_w``."""
    return tuple((-(-s // 16), -(-s // 16) * 16 - s) for s in size)


def _count(model: nn.Module, nm: Tuple[int, int], rests: Tuple[int, int]) -> int:
    size = [16 * k - r for k, r in zip(nm, rests)]
    return count_madds(model, torch.zeros(1, 3, *size))


def madds_at_size(model: nn.Module, size: Sequence[int],
                  check: Optional[Tuple[int, int]] = None) -> Tuple[int, Optional[tuple]]:
    """:func:`~mmmtnas.models.branched.madds.count_madds` at ``size`` (batch 1), from two or
    three counts at small sizes of its shape class (see the module docstring).

    Args:
        model (nn.Module): The model (its forward takes a ``(1, 3, H, W)`` image).
        size (Sequence[int]): ``(H, W)``; output strides up to 16.
        check (tuple[int, int], optional): Also predict and count at ``(16 n - r_h, 16 m -
            r_w)`` for this ``(n, m)``: equal when the form holds.

    Returns:
        tuple: (MAdds at ``size``, ``(predicted, counted)`` at ``check`` or None).
    """
    (n, r_h), (m, r_w) = shape_class(size)

    def terms(a, b):
        return [a * b] + ([a] if r_w else []) + ([b] if r_h else []) + [1.]

    points = POINTS[:len(terms(1, 1))]
    counts = [_count(model, p, (r_h, r_w)) for p in points]
    coef = np.linalg.solve(np.array([terms(*p) for p in points], dtype=np.float64),
                           np.array(counts, dtype=np.float64))

    def at(a, b):
        return int(round(float(coef @ np.array(terms(a, b), dtype=np.float64))))

    checked = (at(*check), _count(model, check, (r_h, r_w))) if check else None
    return at(n, m), checked
