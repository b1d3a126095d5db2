"""MMDetection's ``SSDHead`` with its inference path working."""
from mmdet.models.dense_heads import SSDHead as MMDetSSDHead

from mmmtnas.registry import MODELS


@MODELS.register_module()
class SSDHead(MMDetSSDHead):
    """``mmdet.SSDHead`` (all arguments, losses and anchors unchanged) whose ``predict`` works.

    Registered in the ``mmmtnas`` scope under the upstream name, so ``type='SSDHead'`` in an
    mmmtnas config (or ``type='mmmtnas.SSDHead'`` anywhere) gets this class.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # mmdet 3.3.0: SSDHead skips AnchorHead.__init__, so it has no `loss_cls`, yet the shared
        # BaseDenseHead._predict_by_feat_single reads `self.loss_cls.custom_cls_channels` and
        # raises AttributeError; SSD's softmax loss is inline, so "no loss module" is the truth.
        self.loss_cls = None
