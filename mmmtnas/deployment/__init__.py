"""Deployment: a multi-task network as an ONNX graph of raw head outputs, run by ONNX Runtime,
and decoded by the model's own ``predict_by_feat`` (the step the PyTorch path ends with)."""
from .export_wrapper import (ExportWrapper, UnsupportedModelError, export_onnx, flatten_outputs,
                             output_names, unflatten_outputs)
from .ort_runner import ORTModel, import_onnxruntime
from .postprocess import compare_predictions, decode_outputs, default_samples, parity

__all__ = [
    'ExportWrapper', 'UnsupportedModelError', 'export_onnx', 'flatten_outputs', 'output_names',
    'unflatten_outputs', 'ORTModel', 'import_onnxruntime', 'compare_predictions',
    'decode_outputs', 'default_samples', 'parity'
]
