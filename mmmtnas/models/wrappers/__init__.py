from .device_agnostic_ddp import DeviceAgnosticDDP, declared_unused_parameters

__all__ = ['DeviceAgnosticDDP', 'declared_unused_parameters']
