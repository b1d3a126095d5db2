"""Copy weights from a searchable part into the derived part of the same layout.

The mapping is structural: every non-cell module has the same name in both parts; in cell
``i`` the preprocessing is the same; the derived op for node ``n``'s input ``j`` with op ``o``
is the supernet's ``cells.i.edges.<offset(n) + j>.ops.<index of o>``. This is how a derived
network can start from the searched weights instead of from scratch.
"""
import re
from typing import Dict, List, Sequence

import torch
import torch.nn as nn

from .cells import DerivedCell, edge_offsets

_OP_KEY = re.compile(r'^cells\.(\d+)\.ops\.(\d+)\.(.+)$')


def supernet_key_map(derived: nn.Module, supernet: nn.Module) -> Dict[str, str]:
    """Map each derived state-dict key to the supernet key it inherits from.

    Args:
        derived (nn.Module): A derived part (cells in ``derived.cells``).
        supernet (nn.Module): The searchable part of the same layout, PC-DARTS off
            (``partial_k == 1``: with partial channels the op shapes differ).

    Returns:
        dict[str, str]: Derived key -> supernet key (keys absent in the supernet included).
    """
    if getattr(supernet, 'partial_k', 1) != 1:
        raise ValueError('cannot inherit op weights from a PC-DARTS supernet (partial_k='
                         f'{supernet.partial_k}): its ops see only 1/K of the channels')
    return derived_key_map(derived, supernet.op_names)


def derived_key_map(derived: nn.Module, op_names: Sequence[str]) -> Dict[str, str]:
    """Map each derived state-dict key to the key of the searchable part it was derived from,
    knowing only the searched candidate ops (no supernet needs to be built).

    Args:
        derived (nn.Module): A derived part (cells in ``derived.cells``).
        op_names (Sequence[str]): The candidate ops of the search, in their order (the op
            index of every edge of the searchable part).

    Returns:
        dict[str, str]: Derived key -> searchable-part key.
    """
    op_names = list(op_names)
    locations = {}  # (cell, derived op index) -> (edge index, op index)
    for i, cell in enumerate(derived.cells):
        if not isinstance(cell, DerivedCell):
            continue
        offsets = edge_offsets(len(cell.inputs))
        k = 0
        for n, node in enumerate(cell.genotype.nodes):
            for name, idx in node:
                locations[(i, k)] = (offsets[n] + idx, op_names.index(name))
                k += 1
    mapping = {}
    for key in derived.state_dict():
        m = _OP_KEY.match(key)
        if m is None:
            mapping[key] = key
        else:
            edge, op = locations[(int(m.group(1)), int(m.group(2)))]
            mapping[key] = f'cells.{m.group(1)}.edges.{edge}.ops.{op}.{m.group(3)}'
    return mapping


@torch.no_grad()
def inherit_supernet_weights(derived: nn.Module, supernet: nn.Module) -> List[str]:
    """Copy the supernet's weights and BN statistics into the derived part.

    Args:
        derived (nn.Module): The derived part (modified in place).
        supernet (nn.Module): The searchable part it was derived from.

    Returns:
        list[str]: Derived keys left untouched because the supernet has no such tensor (e.g.
        affine BN scale/shift when the search used non-affine BN).
    """
    source = supernet.state_dict()
    target = derived.state_dict()
    untouched = []
    for key, src_key in supernet_key_map(derived, supernet).items():
        if src_key in source and source[src_key].shape == target[key].shape:
            target[key].copy_(source[src_key])
        else:
            untouched.append(key)
    return untouched
