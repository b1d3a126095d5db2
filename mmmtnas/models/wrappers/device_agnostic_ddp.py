from typing import Any, Optional, Sequence

from mmengine.model import MMDistributedDataParallel
from torch import nn

from mmmtnas.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class DeviceAgnosticDDP(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` that also runs on CPU processes.

    MMEngine's runner always passes ``device_ids=[LOCAL_RANK]``, which DDP rejects for a module
    on the CPU; there ``device_ids`` must be None. On GPUs nothing changes.

    Args:
        module (nn.Module): The model to wrap.
        device_ids (Sequence[int], optional): As in ``DistributedDataParallel``; dropped when
            the module's parameters are on the CPU.
        **kwargs: Passed to ``MMDistributedDataParallel``.
    """

    def __init__(self,
                 module: nn.Module,
                 device_ids: Optional[Sequence[int]] = None,
                 **kwargs: Any) -> None:
        param = next(module.parameters(), None)
        if param is None or param.device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)
