"""An exported graph run by ONNX Runtime (an optional dependency: requirements/deploy.txt)."""
import os.path as osp
from typing import List, Optional, Union

import numpy as np
import torch

DEPLOY_HINT = 'pip install -r requirements/deploy.txt'


def import_onnxruntime():
    """``onnxruntime``, or an ImportError that says how to install it."""
    try:
        import onnxruntime
    except ImportError as err:
        raise ImportError(f'onnxruntime is not installed ({err}); {DEPLOY_HINT}') from None
    return onnxruntime


class ORTModel:
    """An ONNX file in an ONNX Runtime CPU session: ``model(image) -> list of arrays``.

    Args:
        path (str): The ``.onnx`` file.
        num_threads (int, optional): Intra-op threads. Defaults to torch's
            (``torch.get_num_threads()``), so that ONNX Runtime and eager PyTorch latencies are
            measured on the same threads.
    """

    def __init__(self, path: str, num_threads: Optional[int] = None) -> None:
        ort = import_onnxruntime()
        if not osp.isfile(path):
            raise FileNotFoundError(f'ONNX file not found: {path}')
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(num_threads or torch.get_num_threads())
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no per-node placement chatter
        self.session = ort.InferenceSession(path, sess_options=options,
                                            providers=['CPUExecutionProvider'])
        self.input_name = self.session.get_inputs()[0].name
        self.output_names = [out.name for out in self.session.get_outputs()]

    def __call__(self, image: Union[np.ndarray, torch.Tensor]) -> List[np.ndarray]:
        """Run the graph on a batch of preprocessed images (N, 3, H, W)."""
        if isinstance(image, torch.Tensor):
            image = image.detach().cpu().numpy()
        image = np.ascontiguousarray(image, dtype=np.float32)
        if image.ndim != 4 or image.shape[1] != 3:
            raise ValueError(f'expected images of shape (N, 3, H, W), got {image.shape}')
        return self.session.run(self.output_names, {self.input_name: image})
