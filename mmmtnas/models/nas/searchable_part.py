"""Searchable parts and how they find their architecture parameters.

A *searchable part* (backbone, decode head, detection neck made of DARTS cells) declares the
architecture parameters it needs by local key (``'normal'``, ``'reduce'``,
``'normal.edges'``, ...). Built on its own it owns them in a private
:class:`ArchitectureParameters` (``part.arch_params``), so a lone part is already a complete
supernet for tests. :func:`bind_architecture` moves them into the model's single owner
``model.arch_params`` under ``'<prefix>.<key>'`` (prefix = the part's ``arch_prefix`` or its
attribute path in the model) and leaves the part holding only an *unregistered* reference to
that owner: every architecture parameter then appears exactly once in
``model.named_parameters()`` and ``model.state_dict()``, under ``arch_params``.

Any OpenMMLab model (an mmpretrain ``ImageClassifier``, an mmseg ``EncoderDecoder``, our
multi-task model) that contains searchable parts becomes a supernet by calling
``bind_architecture(model)`` once after it is built.
"""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch.nn as nn

from mmmtnas.models.search import ArchitectureParameters

_OWNER_REF = '_arch_owner_ref'  # plain attribute: NOT a registered submodule


class SearchablePart:
    """Mixin for ``nn.Module`` parts that hold architecture choice points.

    Subclasses call :meth:`init_architecture` in ``__init__`` (after ``nn.Module.__init__``),
    read their parameters with :meth:`arch_param` in ``forward`` and implement
    :meth:`derive_genotype`.

    Attributes:
        default_arch_prefix (str): Prefix used while the part is not bound and has no
            ``arch_prefix`` of its own.
    """

    default_arch_prefix = 'part'

    def init_architecture(self,
                          specs: Mapping[str, Sequence[int]],
                          arch_prefix: Optional[str] = None,
                          arch_names: Optional[Mapping[str, str]] = None,
                          init_std: float = 1e-3) -> None:
        """Declare and create (in a private owner) the part's architecture parameters.

        Args:
            specs (Mapping[str, Sequence[int]]): Local key -> shape, e.g.
                ``{'normal': (14, 8), 'normal.edges': (14,)}``.
            arch_prefix (str, optional): Prefix of the readable names. None uses the part's
                attribute path when bound (e.g. ``'backbone'``) and ``default_arch_prefix``
                before.
            arch_names (Mapping[str, str], optional): Explicit full names for some local keys,
                e.g. ``{'normal': 'seg_head.normal'}`` to share the segmentation branch's normal
                cell with this part. Parts mapping a key to the same name share the parameter.
            init_std (float): Std of the normal initialisation. Defaults to 1e-3 (DARTS).
        """
        arch_names = dict(arch_names or {})
        unknown = sorted(set(arch_names) - set(specs))
        if unknown:
            raise KeyError(f'{type(self).__name__}: arch_names has unknown key(s) {unknown}; '
                           f'this part has {sorted(specs)}')
        self._arch_specs: Dict[str, Tuple[int, ...]] = {
            k: tuple(int(s) for s in v) for k, v in specs.items()}
        self.arch_prefix = arch_prefix
        self._arch_name_overrides = arch_names
        self._arch_names = {k: self._full_name(k, arch_prefix or self.default_arch_prefix)
                            for k in self._arch_specs}
        owner = ArchitectureParameters(init_std=init_std)
        for key, shape in self._arch_specs.items():
            owner.register(self._arch_names[key], shape)
        self.arch_params = owner  # registered: the lone part is its own supernet

    def _full_name(self, key: str, prefix: str) -> str:
        return self._arch_name_overrides.get(key, f'{prefix}.{key}')

    # ------------------------------------------------------------------ binding

    @property
    def arch_owner(self) -> ArchitectureParameters:
        """ArchitectureParameters: The owner this part reads from (its own or the model's)."""
        ref = self.__dict__.get(_OWNER_REF)
        return ref if ref is not None else self._modules['arch_params']

    @property
    def is_bound(self) -> bool:
        """bool: Whether the part reads from a model's owner rather than its own."""
        return self.__dict__.get(_OWNER_REF) is not None

    def arch_names(self) -> Dict[str, str]:
        """Return local key -> current readable name."""
        return dict(self._arch_names)

    def arch_param(self, key: str) -> nn.Parameter:
        """Return the architecture parameter of local key ``key`` (e.g. ``'normal'``)."""
        return self.arch_owner[self._arch_names[key]]

    def bind_to(self, owner: ArchitectureParameters, prefix: Optional[str] = None) -> None:
        """Move this part's architecture parameters into ``owner``.

        Values of the part's private parameters are kept (so a seeded build gives the same
        alphas bound or not), unless ``owner`` already has the name, which then is shared.

        Args:
            owner (ArchitectureParameters): The model's owner.
            prefix (str, optional): Prefix for names, used when the part has no
                ``arch_prefix`` of its own.
        """
        if self.arch_owner is owner:
            return
        if self.arch_prefix is None:
            self.arch_prefix = prefix or self.default_arch_prefix
        old_owner, old_names = self.arch_owner, self._arch_names
        new_names = {k: self._full_name(k, self.arch_prefix) for k in self._arch_specs}
        for key in self._arch_specs:
            owner.adopt(new_names[key], old_owner[old_names[key]])
        self._modules.pop('arch_params', None)
        # object.__setattr__ keeps the owner out of this part's module tree (no double
        # registration); deepcopy of the whole model still maps it to the copied owner.
        object.__setattr__(self, _OWNER_REF, owner)
        self._arch_names = new_names

    # ------------------------------------------------------------------ genotype

    def derive_genotype(self):
        """Return the discrete architecture (a :class:`mmmtnas.structures.Genotype`)."""
        raise NotImplementedError


def searchable_parts(model: nn.Module) -> List[Tuple[str, SearchablePart]]:
    """Return ``(attribute path, part)`` for every searchable part inside ``model``.

    A model that is itself a searchable part is returned as ``('', model)``.
    """
    return [(name, m) for name, m in model.named_modules() if isinstance(m, SearchablePart)]


def bind_architecture(model: nn.Module) -> ArchitectureParameters:
    """Give ``model`` one owner of all its architecture parameters, ``model.arch_params``.

    Idempotent. A model that is itself a lone searchable part already is its own owner.

    Args:
        model (nn.Module): A model containing searchable parts.

    Returns:
        ArchitectureParameters: ``model.arch_params``.
    """
    if isinstance(model, SearchablePart) and not model.is_bound:
        owner = model.arch_owner
    else:
        owner = getattr(model, 'arch_params', None)
        if owner is None:
            model.arch_params = owner = ArchitectureParameters()
        elif not isinstance(owner, ArchitectureParameters):
            raise TypeError(f'{type(model).__name__}.arch_params must be an '
                            f'ArchitectureParameters, got {type(owner).__name__}')
    parts = searchable_parts(model)
    if not parts:
        raise ValueError(f'{type(model).__name__} contains no searchable part to bind')
    for name, part in parts:
        if part is not model:
            part.bind_to(owner, prefix=name)
    return owner
