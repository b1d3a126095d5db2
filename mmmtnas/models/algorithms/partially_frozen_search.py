"""A bi-level search in which some architecture parameters (and optionally some weights) are
frozen: MTNAS S2b searches the backbone while the branch architectures found in S1 stay fixed."""
from typing import Sequence, Union

from mmengine.model import BaseModel

from .bilevel_search import BilevelSearchAlgorithm
from mmmtnas.registry import MODELS


@MODELS.register_module()
class PartiallyFrozenSearch(BilevelSearchAlgorithm):
    """:class:`BilevelSearchAlgorithm` with frozen architecture parameters / weights.

    Frozen parameters get ``requires_grad=False``: no backward reaches them, so neither the
    Adam architecture step nor the SGD weight step (both skip parameters without a gradient,
    momentum and weight decay included) ever changes them.

    Args:
        supernet (dict | BaseModel): The supernet (see :class:`BilevelSearchAlgorithm`).
        frozen_arch (Sequence[str]): Prefixes of readable architecture-parameter names to
            freeze, e.g. ``('det_neck.', 'seg_head.')``. Each must match at least one name.
        frozen_modules (Sequence[str]): Attribute paths in the supernet whose weights are
            frozen, e.g. ``('seg_head', )``. Defaults to ().
        **kwargs: :class:`BilevelSearchAlgorithm` arguments (``unroll``, ``xi``, ...).
    """

    def __init__(self,
                 supernet: Union[dict, BaseModel],
                 frozen_arch: Sequence[str] = (),
                 frozen_modules: Sequence[str] = (),
                 **kwargs) -> None:
        super().__init__(supernet, **kwargs)
        self.frozen_arch = tuple(frozen_arch)
        self.frozen_modules = tuple(frozen_modules)
        # readable name -> parameter (ArchitectureParameters, or a ParameterDict-like owner)
        params = dict(self.arch_params.items())
        for prefix in self.frozen_arch:
            matched = [n for n in params if n.startswith(prefix)]
            if not matched:
                raise KeyError(f'PartiallyFrozenSearch: frozen_arch prefix {prefix!r} matches no '
                               f'architecture parameter; names are {sorted(params)}')
            for name in matched:
                params[name].requires_grad_(False)
        for path in self.frozen_modules:
            try:
                module = self.supernet.get_submodule(path)
            except AttributeError:
                raise KeyError(f'PartiallyFrozenSearch: the supernet has no module {path!r}'
                               ) from None
            for param in module.parameters():
                param.requires_grad_(False)

    def frozen_arch_names(self):
        """Return the readable names of the frozen architecture parameters."""
        return [n for n, p in dict(self.arch_params.items()).items() if not p.requires_grad]
