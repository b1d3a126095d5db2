from .gumbel_temperature_hook import GumbelTemperatureHook  # noqa: F401
