"""Driving datasets (detection + segmentation) and the toy driving set writer."""
from .toy_driving import make_toy_driving
from .toy_scene import draw_scene

__all__ = ['make_toy_driving', 'draw_scene']
