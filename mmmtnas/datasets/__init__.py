from . import dense, driving  # noqa: F401
