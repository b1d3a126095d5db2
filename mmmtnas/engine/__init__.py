from . import hooks, loops, optimizers  # noqa: F401
from . import runner  # noqa: F401,E402  (pipeline runners)
