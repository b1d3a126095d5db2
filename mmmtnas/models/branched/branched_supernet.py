"""The BMTAS supergraph: every encoder layer holds one copy of its block per task.

Task ``t`` routes through one copy per layer; two tasks share computation at layer ``l`` only
if they took the same copy at every layer up to ``l``. During the search each task's input to
layer ``l`` goes through all copies and the outputs are mixed with Gumbel-softmax weights of
row ``t`` of ``alpha_l`` (temperature set from outside, see ``GumbelTemperatureHook``); in
eval mode every row is discretised with argmax, which is exactly the derived branched network.
"""
import copy
import dataclasses
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS
from mmmtnas.utils import eval_mode
from .encoder_layers import build_encoder_layers, init_encoder_copies
from .encoder_split import module_key
from .routing_parameters import RoutingParameters

EncoderOutput = Dict[str, Tuple[Tensor, Tensor]]

ROUTING_MODES = ('identity', 'gumbel')


@MODELS.register_module()
class BranchedSupernet(BaseModule):
    """Branched multi-task encoder supergraph over a registry-built backbone (BMTAS).

    The backbone is cut into a shared stem and ``L - 1`` blocks, and the context module
    ((R-)ASPP) is appended as the last layer; each of the ``L`` layers holds ``T`` independent
    copies. The stride-4 features of each task's own route are returned as its low-level
    features (DeepLabv3+ decoders).

    Args:
        tasks (Sequence[str]): Task names (T of them); their order is the copy order.
        backbone (dict): Backbone config, e.g. ``dict(type='mmpretrain.MobileNetV2')`` or
            ``dict(type='mmpretrain.ResNet', depth=50)``. A ``dict(type='Pretrained',
            checkpoint=..., prefix='backbone.')`` in its ``init_cfg`` (MMPretrain's ImageNet
            checkpoint) is loaded into the stem and into every copy of every backbone block, so
            all copies start identical (App. A).
        context (dict, optional): Context-module config without ``in_channels`` (filled in),
            e.g. ``dict(type='mmmtnas.EncoderRASPP')``. None: no context layer.
        output_stride (int): Stride of the high-level features, reached by replacing late
            strides with dilation. Defaults to 16.
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        last_bn_affine (bool): Keep the learnable affine of each layer's last batch norm. The
            paper disables it during the search so that the copies' outputs have equal scale.
            Defaults to False.
        temperature (float): Initial Gumbel-softmax temperature. Defaults to 5.0.
        routing_mode (str): 'gumbel' (search; argmax in eval mode) or 'identity' (task ``t``
            uses copy ``t`` at every layer: the warm-up). Defaults to 'gumbel'.
        init_cfg (dict, optional): Initialisation config of the supernet itself.
    """

    def __init__(self,
                 tasks: Sequence[str],
                 backbone: ConfigType,
                 context: OptConfigType = dict(type='mmmtnas.EncoderRASPP'),
                 output_stride: int = 16,
                 low_level_stride: int = 4,
                 last_bn_affine: bool = False,
                 temperature: float = 5.0,
                 routing_mode: str = 'gumbel',
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if len(tasks) < 1 or len(set(tasks)) != len(tasks):
            raise ValueError(f'tasks must be unique names, got {tasks}')
        self.tasks: List[str] = list(tasks)
        layers = build_encoder_layers(backbone, context, output_stride, low_level_stride,
                                      last_bn_affine)
        self.stem = layers.stem
        self.layer_names: List[str] = layers.names
        self.context_layer: Optional[str] = layers.context_layer
        self.low_level_layer = layers.low_level_layer
        self.low_level_channels = layers.low_level_channels
        self.out_channels = layers.out_channels
        self.layers = nn.ModuleDict({
            module_key(name): nn.ModuleList([copy.deepcopy(block) for _ in self.tasks])
            for name, block in zip(layers.names, layers.blocks)
        })
        # How to initialise the copies (without the template blocks, which are not kept).
        self._init_spec = dataclasses.replace(layers, stem=None, blocks=[])
        self.arch_params = RoutingParameters(self.layer_names, self.tasks)
        self.temperature = float(temperature)
        self.set_routing_mode(routing_mode)

    # ------------------------------------------------------------------ configuration
    @property
    def num_tasks(self) -> int:
        return len(self.tasks)

    def set_routing_mode(self, mode: str) -> None:
        """Select 'identity' (warm-up: task t -> copy t) or 'gumbel' (search) routing."""
        if mode not in ROUTING_MODES:
            raise ValueError(f'routing_mode must be one of {ROUTING_MODES}, got {mode!r}')
        self.routing_mode = mode

    def block(self, layer_name: str, copy_index: int = 0) -> nn.Module:
        """Return one copy of a layer's block, by layer name."""
        return self.layers[module_key(layer_name)][copy_index]

    def init_weights(self) -> None:
        """Initialise every copy on its own like the backbone would be (copies start
        different), then load the backbone's 'Pretrained' checkpoint into the stem and every
        backbone-block copy (copies start identical)."""
        super().init_weights()
        # The copies sit in plain nn.ModuleDict/ModuleList containers, which
        # BaseModule.init_weights does not descend into.
        init_encoder_copies(self._init_spec, self.stem,
                            {name: self.layers[module_key(name)] for name in self.layer_names})

    # ------------------------------------------------------------------ forward
    def _route(self, layer_name: str, rows: List[int]) -> Tuple[Optional[List[int]],
                                                                Optional[Tensor]]:
        """Return ``(choices, None)`` for a hard routing or ``(None, weights[len(rows), T])``
        for a soft one."""
        if self.routing_mode == 'identity':
            return rows, None
        alpha = self.arch_params[layer_name][rows]
        if not self.training:
            return alpha.argmax(dim=-1).tolist(), None
        return None, F.gumbel_softmax(alpha, tau=self.temperature, hard=False, dim=-1)

    def forward(self, x: Tensor, tasks: Optional[Sequence[str]] = None) -> EncoderOutput:
        """Run the encoder for some or all tasks.

        Hard routings (warm-up, eval) compute each (input, copy) pair once, so tasks that
        share a route share its computation, exactly as in the derived network.

        Args:
            x (Tensor): Images, ``[N, C, H, W]``.
            tasks (Sequence[str], optional): Tasks to compute. Defaults to all.

        Returns:
            dict[str, tuple[Tensor, Tensor]]: Per task, (low-level features at stride 4,
            high-level features at ``output_stride``).
        """
        tasks = self.tasks if tasks is None else list(tasks)
        unknown = [t for t in tasks if t not in self.tasks]
        if unknown:
            raise KeyError(f'unknown task(s) {unknown}; the supernet has {self.tasks}')
        rows = [self.tasks.index(t) for t in tasks]
        values: List[Tensor] = [self.stem(x)]
        stream = [0] * len(tasks)  # index into `values` of each task's current features
        low: List[Tensor] = []
        for name in self.layer_names:
            copies = self.layers[module_key(name)]
            choices, weights = self._route(name, rows)
            outputs: Dict[Tuple[int, int], Tensor] = {}

            def run(src: int, c: int) -> Tensor:
                if (src, c) not in outputs:
                    outputs[(src, c)] = copies[c](values[src])
                return outputs[(src, c)]

            new_values, new_stream, where = [], [], {}
            for i in range(len(tasks)):
                if choices is not None:
                    key = (stream[i], choices[i])
                    if key not in where:
                        where[key] = len(new_values)
                        new_values.append(run(*key))
                    new_stream.append(where[key])
                else:
                    mixed = sum(weights[i, c] * run(stream[i], c) for c in range(len(copies)))
                    new_stream.append(len(new_values))
                    new_values.append(mixed)
            values, stream = new_values, new_stream
            if name == self.low_level_layer:
                low = [values[s] for s in stream]
        return {task: (low[i], values[stream[i]]) for i, task in enumerate(tasks)}

    @torch.no_grad()
    def layer_input_shapes(self, input_size: Tuple[int, int],
                           in_channels: int = 3) -> Dict[str, Tuple[int, int, int]]:
        """Return the ``(C, H, W)`` input shape of every layer for a given image size.

        Args:
            input_size (tuple[int, int]): Image ``(H, W)``.
            in_channels (int): Image channels. Defaults to 3.

        Returns:
            dict[str, tuple[int, int, int]]: Layer name -> input shape without batch.
        """
        with eval_mode(self):
            x = self.stem(torch.zeros(1, in_channels, *input_size,
                                      device=next(self.parameters()).device))
            shapes = {}
            for name in self.layer_names:
                shapes[name] = tuple(x.shape[1:])
                x = self.block(name)(x)
        return shapes
