"""MTNAS-specific parts (paper: Gao et al., ACCV 2020)."""
from .partially_frozen_search import PartiallyFrozenSearch

__all__ = ['PartiallyFrozenSearch']
