"""The BMTAS supergraph: every encoder layer holds one copy of its block per task.

Task ``t`` routes through one copy per layer; two tasks share computation at layer ``l`` only
if they took the same copy at every layer up to ``l``. During the search each task's input to
layer ``l`` goes through all copies and the outputs are mixed with Gumbel-softmax weights of
row ``t`` of ``alpha_l`` (temperature set from outside, see ``GumbelTemperatureHook``); in
eval mode every row is discretised with argmax, which is exactly the derived branched network.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from mmengine.model import BaseModule, initialize
from mmengine.runner.checkpoint import CheckpointLoader
from mmseg.utils import ConfigType, OptConfigType
from torch import Tensor

from mmmtnas.registry import MODELS
from .encoder_split import (_conv_strides, drop_affine, last_batch_norm, module_key,
                            set_output_stride, split_backbone)
from .routing_parameters import RoutingParameters

EncoderOutput = Dict[str, Tuple[Tensor, Tensor]]

ROUTING_MODES = ('identity', 'gumbel')


def out_channels_of(block: nn.Module) -> int:
    """Output channels of a block: its ``out_channels`` attribute, else those of the last
    convolution on its main path."""
    if isinstance(getattr(block, 'out_channels', None), int):
        return block.out_channels
    convs = [m for n, m in block.named_modules()
             if isinstance(m, nn.Conv2d) and 'downsample' not in n.split('.')]
    return convs[-1].out_channels


def load_backbone_checkpoint(filename: str, prefix: Optional[str] = None) -> Dict[str, Tensor]:
    """Read a backbone state dict from an ImageNet-format checkpoint.

    Args:
        filename (str): Checkpoint path or URL (any scheme MMEngine's loader knows).
        prefix (str, optional): Keep only keys under this prefix and strip it. By default
            'backbone.' is stripped when the keys carry it (MMPretrain classifier checkpoints).

    Returns:
        dict[str, Tensor]: Keys in the backbone's own naming ('layer2.1.conv.0.conv.weight').
    """
    ckpt = CheckpointLoader.load_checkpoint(filename, map_location='cpu')
    state = ckpt.get('state_dict', ckpt) if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f'{filename}: expected a state dict or a dict with "state_dict"')
    if prefix is None and any(k.startswith('backbone.') for k in state):
        prefix = 'backbone.'
    if prefix:
        prefix = prefix if prefix.endswith('.') else prefix + '.'
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    return state


def load_into_blocks(state: Dict[str, Tensor], targets: Dict[str, Sequence[nn.Module]],
                     filename: str) -> None:
    """Load backbone weights into modules named by their backbone path.

    Args:
        state (dict[str, Tensor]): Backbone state dict (from :func:`load_backbone_checkpoint`).
        targets (dict[str, list[nn.Module]]): Backbone module path ('' for the stem, whose
            children keep the backbone's names) -> the modules that receive its weights.
        filename (str): Checkpoint name, for messages.
    """
    matched, missing = set(), []
    for path, modules in targets.items():
        head = f'{path}.' if path else ''
        sub = {k[len(head):]: v for k, v in state.items() if k.startswith(head)}
        for module in modules:
            own = set(module.state_dict())
            result = module.load_state_dict({k: v for k, v in sub.items() if k in own},
                                            strict=False)
            missing += [f'{head}{k}' for k in result.missing_keys]
        matched |= {f'{head}{k}' for k in sub if k in own}
    if not matched:
        raise ValueError(f'{filename}: no key matches the backbone (first keys: '
                         f'{list(state)[:3]}); is it a checkpoint of this backbone?')
    if missing:
        print_log(f'{filename}: {len(set(missing))} backbone weights not in the checkpoint, '
                  f'e.g. {sorted(set(missing))[:3]}', logger='current')


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
            ``dict(type='mmpretrain.ResNet', depth=50)``. A 'Pretrained' ``init_cfg`` is taken
            as ``pretrained``/``pretrained_prefix``.
        context (dict, optional): Context-module config without ``in_channels`` (filled in),
            e.g. ``dict(type='mmmtnas.EncoderRASPP')``. None: no context layer.
        output_stride (int): Stride of the high-level features, reached by replacing late
            strides with dilation. Defaults to 16.
        low_level_stride (int): Stride of the low-level features. Defaults to 4.
        last_bn_affine (bool): Keep the learnable affine of each layer's last batch norm. The
            paper disables it during the search so that the copies' outputs have equal scale.
            Defaults to False.
        pretrained (str, optional): ImageNet-format checkpoint loaded into the stem and into
            every copy of every block (so all copies start identical).
        pretrained_prefix (str, optional): Key prefix of the backbone in ``pretrained``;
            default strips 'backbone.' when present.
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
                 pretrained: Optional[str] = None,
                 pretrained_prefix: Optional[str] = None,
                 temperature: float = 5.0,
                 routing_mode: str = 'gumbel',
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        if len(tasks) < 1 or len(set(tasks)) != len(tasks):
            raise ValueError(f'tasks must be unique names, got {tasks}')
        self.tasks: List[str] = list(tasks)
        backbone = copy.deepcopy(dict(backbone))
        self.pretrained, self.pretrained_prefix = pretrained, pretrained_prefix
        init_cfg_given = 'init_cfg' in backbone
        self._block_init_cfg = self._take_init_cfg(backbone)
        backbone = MODELS.build(backbone)
        if not init_cfg_given:  # the backbone class's default initialisation
            self._block_init_cfg = self._take_init_cfg(dict(init_cfg=backbone.init_cfg))

        split = split_backbone(backbone)
        self.stem = split.stem
        names = [name for name, _ in split.blocks]
        blocks = [block for _, block in split.blocks]
        set_output_stride(blocks, split.stem_stride, output_stride)
        self.low_level_layer, self.low_level_channels = self._find_low_level(
            names, blocks, split.stem_stride, low_level_stride)
        self.out_channels = out_channels_of(blocks[-1])
        self.context_layer: Optional[str] = None
        if context is not None:
            context = MODELS.build(dict(context, in_channels=self.out_channels))
            self.context_layer = getattr(context, 'layer_name', 'context')
            names.append(self.context_layer)
            blocks.append(context)
            self.out_channels = context.out_channels
        self.layer_names: List[str] = names

        if not last_bn_affine:
            for block in blocks:
                drop_affine(last_batch_norm(block))
        num_tasks = len(self.tasks)
        self.layers = nn.ModuleDict({
            module_key(name): nn.ModuleList([copy.deepcopy(block) for _ in range(num_tasks)])
            for name, block in zip(names, blocks)
        })
        self.arch_params = RoutingParameters(self.layer_names, self.tasks)
        self.temperature = float(temperature)
        self.set_routing_mode(routing_mode)

    @staticmethod
    def _take_init_cfg(backbone: dict) -> List[dict]:
        """Pop the backbone's ``init_cfg``; return the non-pretrained parts (applied to every
        copy in :meth:`init_weights`)."""
        init_cfg = backbone.pop('init_cfg', None)
        if init_cfg is None:
            return []
        cfgs = [init_cfg] if isinstance(init_cfg, dict) else list(init_cfg)
        return [dict(c) for c in cfgs if c.get('type') != 'Pretrained']

    @staticmethod
    def _find_low_level(names: List[str], blocks: List[nn.Module], stem_stride: int,
                        low_level_stride: int) -> Tuple[str, int]:
        stride, found = stem_stride, None
        for name, block in zip(names, blocks):
            stride *= _conv_strides(block)
            if stride == low_level_stride:
                found = (name, out_channels_of(block))
        if found is None:
            raise ValueError(f'no block outputs stride {low_level_stride} (stem stride '
                             f'{stem_stride}); set low_level_stride to one the backbone has')
        return found

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
        """Initialise every copy like the backbone would be, then load ``pretrained``."""
        super().init_weights()
        # The containers are plain nn.Module{Dict,List}s, which BaseModule.init_weights does
        # not descend into, so each copy is initialised here: backbone blocks with the
        # backbone's own init_cfg, context modules with their init_weights.
        # Copies are deep copies of one block: each is re-initialised here so that, without
        # a checkpoint, they start different (as separately built networks would).
        backbone_blocks = [self.stem] + [b for name in self.layer_names
                                         if name != self.context_layer
                                         for b in self.layers[module_key(name)]]
        for block in backbone_blocks:
            if self._block_init_cfg:
                initialize(block, self._block_init_cfg)
            else:
                for m in block.modules():
                    if hasattr(m, 'reset_parameters'):
                        m.reset_parameters()
        if self.context_layer:
            for block in self.layers[module_key(self.context_layer)]:
                block.init_weights()
        if self.pretrained:
            state = load_backbone_checkpoint(self.pretrained, self.pretrained_prefix)
            targets = {'': [self.stem]}
            targets.update({name: list(self.layers[module_key(name)])
                            for name in self.layer_names if name != self.context_layer})
            load_into_blocks(state, targets, self.pretrained)

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
        was_training = self.training
        self.eval()
        try:
            x = self.stem(torch.zeros(1, in_channels, *input_size,
                                      device=next(self.parameters()).device))
            shapes = {}
            for name in self.layer_names:
                shapes[name] = tuple(x.shape[1:])
                x = self.block(name)(x)
        finally:
            self.train(was_training)
        return shapes
