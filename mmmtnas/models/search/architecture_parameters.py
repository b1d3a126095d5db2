"""The one owner of a supernet's architecture parameters.

Every architecture parameter (DARTS ``alpha`` per cell type, PC-DARTS edge ``beta``) lives in a
single :class:`ArchitectureParameters` module, exposed by a supernet as ``model.arch_params``.
Parameters are keyed by stable, readable names such as ``'backbone.normal'`` or
``'backbone.normal.edges'``; asking twice for the same name returns the same
:class:`torch.nn.Parameter`, which is how sharing between cells (or between parts) is made
explicit. Names never depend on module traversal order, so checkpoints and genotype files stay
readable and stable when a config changes elsewhere.
"""
import re
from typing import Dict, Iterator, List, Mapping, Optional, Sequence, Tuple

import torch
import torch.nn as nn

# Readable name: dot-separated identifiers, e.g. 'backbone.normal.edges'. '__' is reserved:
# names are stored under keys with '.' -> '__' (torch forbids '.' in parameter names) and the
# mapping must be reversible.
_NAME_RE = re.compile(r'^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$')
_SEP = '__'


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME_RE.match(name) or _SEP in name \
            or name.endswith('_'):
        raise ValueError(
            f'invalid architecture-parameter name {name!r}: expected dot-separated identifiers '
            "without '__' and not ending in '_', e.g. 'backbone.normal'")
    return name


class ArchitectureParameters(nn.Module):
    """Owner of all architecture parameters of a supernet, keyed by readable names.

    It is a plain ``nn.Module`` holding only parameters, so it is saved in checkpoints
    (state-dict keys ``arch_params.<name with '.' replaced by '__'>``) and optimisers find its
    parameters with ``.parameters()``. Searchable parts do not register these parameters
    themselves: they look them up here by name at forward time (see
    :func:`mmmtnas.models.nas.bind_architecture`), so each appears exactly once in
    ``model.named_parameters()``.

    Args:
        init_std (float): Standard deviation of the normal initialisation of parameters created
            by :meth:`register` (DARTS uses ``1e-3 * randn``). Defaults to 1e-3.

    Examples:
        >>> owner = ArchitectureParameters()
        >>> a = owner.register('backbone.normal', (14, 8))
        >>> owner.register('backbone.normal', (14, 8)) is a  # same name => shared
        True
        >>> owner.names()
        ['backbone.normal']
    """

    def __init__(self, init_std: float = 1e-3) -> None:
        super().__init__()
        self.init_std = init_std
        self._names: List[str] = []  # registration order, readable names

    # ------------------------------------------------------------------ naming

    @staticmethod
    def state_key(name: str) -> str:
        """Return the attribute / state-dict key under which ``name`` is stored."""
        return _check_name(name).replace('.', _SEP)

    @staticmethod
    def name_of_key(key: str) -> str:
        """Inverse of :meth:`state_key`."""
        return key.replace(_SEP, '.')

    # ------------------------------------------------------------------ creation

    def register(self,
                 name: str,
                 shape: Sequence[int],
                 init_std: Optional[float] = None) -> nn.Parameter:
        """Get the parameter called ``name``, creating it if it does not exist yet.

        Args:
            name (str): Readable name, e.g. ``'backbone.reduce'``.
            shape (Sequence[int]): Expected shape. An existing parameter of another shape is an
                error (two parts that share a name must agree on it).
            init_std (float, optional): Std of the normal initialisation of a new parameter.
                None uses ``self.init_std``.

        Returns:
            nn.Parameter: The (possibly shared) parameter.
        """
        shape = tuple(int(s) for s in shape)
        if name in self:
            return self._checked(name, shape)
        std = self.init_std if init_std is None else init_std
        return self._add(name, nn.Parameter(std * torch.randn(shape)))

    def adopt(self, name: str, param: nn.Parameter) -> nn.Parameter:
        """Take ``param`` under ``name``, or return the existing parameter of that name.

        Used when a searchable part built on its own (with its own owner) is bound to a model's
        owner: its values move over unless another part already registered the name, in which
        case the two now share the existing parameter.

        Args:
            name (str): Readable name.
            param (nn.Parameter): Candidate parameter.

        Returns:
            nn.Parameter: The parameter now registered under ``name``.
        """
        if name in self:
            return self._checked(name, tuple(param.shape))
        if not isinstance(param, nn.Parameter):
            param = nn.Parameter(param.detach().clone())
        return self._add(name, param)

    def _add(self, name: str, param: nn.Parameter) -> nn.Parameter:
        key = self.state_key(name)
        if hasattr(self, key):
            raise ValueError(f'architecture-parameter name {name!r} clashes with the attribute '
                             f'{key!r} of ArchitectureParameters; choose another name')
        self.register_parameter(key, param)
        self._names.append(name)
        return param

    def _checked(self, name: str, shape: Tuple[int, ...]) -> nn.Parameter:
        param = self[name]
        if tuple(param.shape) != shape:
            raise ValueError(f'architecture parameter {name!r} already exists with shape '
                             f'{tuple(param.shape)}, requested {shape}: parts sharing a name '
                             'must have the same ops and node count')
        return param

    # ------------------------------------------------------------------ access

    def names(self) -> List[str]:
        """Return the readable names, in registration order."""
        return list(self._names)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._names

    def __getitem__(self, name: str) -> nn.Parameter:
        if name not in self:
            raise KeyError(f'no architecture parameter named {name!r}; '
                           f'known names: {self._names}')
        return self._parameters[self.state_key(name)]

    def __iter__(self) -> Iterator[Tuple[str, nn.Parameter]]:
        """Iterate over ``(readable name, parameter)`` pairs in registration order."""
        for name in self._names:
            yield name, self[name]

    def __len__(self) -> int:
        return len(self._names)

    def items(self) -> List[Tuple[str, nn.Parameter]]:
        """Return ``(readable name, parameter)`` pairs in registration order."""
        return list(iter(self))

    def values_dict(self) -> Dict[str, torch.Tensor]:
        """Return detached CPU copies of all values, keyed by readable name."""
        return {name: p.detach().cpu().clone() for name, p in self}

    @torch.no_grad()
    def load_values(self, values: Mapping[str, torch.Tensor], strict: bool = True) -> None:
        """Copy values (keyed by readable name) into the parameters.

        Args:
            values (Mapping[str, Tensor]): New values.
            strict (bool): Raise if a name is unknown or missing. Defaults to True.
        """
        if strict:
            unknown = sorted(set(values) - set(self._names))
            missing = sorted(set(self._names) - set(values))
            if unknown or missing:
                raise KeyError(f'architecture values do not match: unknown {unknown}, '
                               f'missing {missing}')
        for name, value in values.items():
            if name in self:
                self[name].copy_(torch.as_tensor(value, dtype=self[name].dtype))

    def extra_repr(self) -> str:
        return ', '.join(f'{n}: {tuple(p.shape)}' for n, p in self)
