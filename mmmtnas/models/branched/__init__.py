from .aspp import EncoderASPP, EncoderRASPP  # noqa: F401
from .branched_supernet import BranchedSupernet  # noqa: F401
from .routing_parameters import RoutingParameters  # noqa: F401
from .branched_network import BranchedNetwork  # noqa: F401
from .resource_loss import ResourceLoss  # noqa: F401
