"""DARTS search space: architecture parameters, candidate operations, cells, searchable and
derived parts."""
from .architecture_parameters import ArchitectureParameters
from .searchable_part import SearchablePart, bind_architecture, searchable_parts

__all__ = ['ArchitectureParameters', 'SearchablePart', 'bind_architecture', 'searchable_parts']
