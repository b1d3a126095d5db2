"""Derive the genotypes of every searchable part of a model."""
from typing import Dict

import torch.nn as nn

from mmmtnas.structures.genotype import Genotype
from mmmtnas.utils import unwrap_model
from .searchable_part import searchable_parts


def derive_genotypes(model: nn.Module) -> Dict[str, Genotype]:
    """Return ``{part prefix: genotype}`` for every searchable part in ``model``.

    The key is the part's ``arch_prefix`` (set when bound: its attribute path, e.g.
    ``'backbone'``, unless configured), i.e. the prefix of its architecture-parameter names,
    so ``DartsBackbone(genotype=file, part='backbone')`` finds it.

    Args:
        model (nn.Module): A supernet (possibly in a model wrapper), or a lone part.

    Returns:
        dict[str, Genotype]: One genotype per searchable part.
    """
    model = unwrap_model(model)
    out = {}
    for path, part in searchable_parts(model):
        name = part.arch_prefix or path or part.default_arch_prefix
        if name in out:
            raise ValueError(f'two searchable parts are both called {name!r}; give them '
                             'distinct `arch_prefix` values')
        out[name] = part.derive_genotype()
    if not out:
        raise ValueError(f'{type(model).__name__} contains no searchable part')
    return out
