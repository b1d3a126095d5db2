"""What one BMTAS search step does: warm-up, architecture or weight update of a branched
supernet inside a dense multi-task model (Bruggemann et al., BMVC 2020, §3 and App. A).

Which phase runs when, on which data, and the resets between phases belong to
:class:`mmmtnas.engine.loops.BMTASSearchLoop`; this class only computes the loss of a phase
and steps the one optimiser that phase owns.
"""
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor

from mmmtnas.models.branched.branched_supernet import BranchedSupernet
from mmmtnas.models.branched.madds import count_madds, input_shaped
from mmmtnas.registry import MODELS
from mmmtnas.structures.branch_file import BranchStructure

PHASES = ('warmup', 'arch', 'weights')
ARCH_KEY, WEIGHTS_KEY = 'arch', 'weights'


@MODELS.register_module()
class BMTASSearch(BaseModel):
    """Branched multi-task architecture search over a dense multi-task model.

    Phases (set by the loop with :meth:`set_phase`):

    - ``'warmup'``: task ``t`` runs only through copy ``t`` of every layer; only the weights
      optimiser steps, so alpha stays at zero.
    - ``'arch'``: Gumbel-softmax routing; loss ``sum_t w_t L_t + lambda * L_R`` where ``L_R``
      is the expected encoder cost under ``softmax(alpha)``; only the ``arch`` optimiser steps.
      ``lambda`` multiplies the resource term once per step, however many tasks there are.
    - ``'weights'``: Gumbel-softmax routing; loss ``sum_t w_t L_t``; only the ``weights``
      optimiser steps.

    The task weights ``w_t`` are applied by the dense model. Gradients that reach the other
    parameter set in a step are dropped after it, so they never leak into that set's next step.

    Args:
        model (dict): A dense multi-task model config (``mmmtnas.DenseMultiTaskModel``) whose
            ``encoder`` is a ``mmmtnas.BranchedSupernet``.
        resource_weight (float): ``lambda``. 0 searches for accuracy only.
        resource_loss (dict): Config of the expected-cost loss. Defaults to
            ``dict(type='mmmtnas.ResourceLoss', mode='exact')``.
        cost_input_size (tuple[int, int]): Image ``(H, W)`` at which the per-layer cost table is
            measured: the size the search runs at.
        layer_costs (Sequence[float], optional): Per-layer MAdds, in layer order, instead of
            measuring them.
        cost_cache (str, optional): File caching the measured table (keyed by model and size).
        cost_unit (float): MAdds per unit of ``L_R``; 1e9 makes ``lambda`` a weight per
            GMAdd. Defaults to 1e9.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 model: ConfigType,
                 resource_weight: float = 0.,
                 resource_loss: ConfigType = dict(type='mmmtnas.ResourceLoss', mode='exact'),
                 cost_input_size: Tuple[int, int] = (512, 512),
                 layer_costs: Optional[Sequence[float]] = None,
                 cost_cache: Optional[str] = None,
                 cost_unit: float = 1e9,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.model = MODELS.build(model)
        if not isinstance(getattr(self.model, 'encoder', None), BranchedSupernet):
            raise TypeError('BMTASSearch needs a model whose `encoder` is a BranchedSupernet, '
                            f'got {type(getattr(self.model, "encoder", None)).__name__}')
        # One preprocessor for the whole step: the dense model's.
        self.data_preprocessor = self.model.data_preprocessor
        if resource_weight < 0:
            raise ValueError(f'resource_weight must be >= 0, got {resource_weight}')
        self.resource_weight = float(resource_weight)
        self.resource_loss = MODELS.build(resource_loss)
        self.cost_input_size = tuple(cost_input_size)
        self.cost_cache = cost_cache
        self.cost_unit = float(cost_unit)
        if layer_costs is not None and len(layer_costs) != len(self.supernet.layer_names):
            raise ValueError(f'layer_costs has {len(layer_costs)} entries, the supernet has '
                             f'{len(self.supernet.layer_names)} layers')
        self.register_buffer(
            'layer_costs',
            torch.tensor(layer_costs, dtype=torch.float64) if layer_costs is not None else
            torch.zeros(0, dtype=torch.float64),
            persistent=False)
        self.phase = 'weights'
        self.set_phase('weights')

    # ------------------------------------------------------------------ parts
    @property
    def supernet(self) -> BranchedSupernet:
        """The branched supernet (the dense model's encoder)."""
        return self.model.encoder

    @property
    def arch_params(self):
        """The one owner of the routing parameters (a property, not a second submodule, so
        they appear once in the state dict)."""
        return self.model.encoder.arch_params

    def set_phase(self, phase: str) -> None:
        """Select 'warmup', 'arch' or 'weights' (see the class docstring)."""
        if phase not in PHASES:
            raise ValueError(f'phase must be one of {PHASES}, got {phase!r}')
        self.phase = phase
        self.supernet.set_routing_mode('identity' if phase == 'warmup' else 'gumbel')

    # ------------------------------------------------------------------ resource
    def get_layer_costs(self) -> Tensor:
        """Per-layer MAdds of one copy, ``[L]`` (measured once at ``cost_input_size``)."""
        if self.layer_costs.numel() == 0:
            from mmmtnas.models.branched.cost_table import supernet_layer_costs
            costs = supernet_layer_costs(self.supernet, self.cost_input_size,
                                         cache_file=self.cost_cache)
            self.layer_costs = torch.as_tensor(costs, dtype=torch.float64,
                                               device=self.layer_costs.device)
        return self.layer_costs

    def expected_cost(self) -> Tensor:
        """Expected encoder MAdds (searchable layers) under ``softmax(alpha)``, in
        ``cost_unit`` (differentiable w.r.t. alpha)."""
        probs = self.arch_params.probs()
        costs = self.get_layer_costs().to(probs) / self.cost_unit
        return self.resource_loss(probs, costs)

    # ------------------------------------------------------------------ forward
    def loss(self, inputs: Tensor, data_samples: SampleList) -> Dict[str, Tensor]:
        """Task losses of the dense model, plus ``loss_resource`` in the 'arch' phase.

        Returns:
            dict[str, Tensor]: ``<task>.loss_*`` (weighted by the dense model) and, in the
            architecture phase, ``loss_resource = lambda * L_R`` and ``expected_cost``.
        """
        losses = self.model.loss(inputs, data_samples)
        if self.phase == 'arch':
            expected = self.expected_cost()
            losses['expected_cost'] = expected.detach()
            if self.resource_weight > 0:
                losses['loss_resource'] = self.resource_weight * expected
        return losses

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], SampleList]:
        """'loss' -> :meth:`loss`; 'predict' and 'tensor' -> the dense model (argmax routes
        in eval mode)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        return self.model(inputs, data_samples, mode=mode)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict,
                   loss_fn: Optional[Callable[[dict], Dict[str, Tensor]]] = None
                   ) -> Dict[str, Tensor]:
        """One update of the current phase.

        Args:
            data (dict | tuple | list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): With keys ``weights`` and ``arch`` (see
                ``mmmtnas.BilevelOptimWrapperConstructor``).
            loss_fn (Callable, optional): Computes the loss dict of a preprocessed batch; the
                distributed wrapper (``mmmtnas.BilevelDistributedDataParallel``, with
                ``find_unused_parameters=True``: the warm-up leaves copies unused) passes one
                that runs through DDP. Defaults to this model's own forward.

        Returns:
            dict[str, Tensor]: Log variables.
        """
        missing = {WEIGHTS_KEY, ARCH_KEY} - set(optim_wrapper.keys())
        if missing:
            raise KeyError(f'BMTASSearch needs optim wrappers {sorted(missing)} (build them '
                           "with constructor='mmmtnas.BilevelOptimWrapperConstructor')")
        wrapper = optim_wrapper[ARCH_KEY if self.phase == 'arch' else WEIGHTS_KEY]
        optim_wrapper.zero_grad()
        with wrapper.optim_context(self):
            data = self.data_preprocessor(data, True)
            losses = (loss_fn(data) if loss_fn is not None else
                      self._run_forward(data, mode='loss'))
        parsed, log_vars = self.parse_losses(losses)
        wrapper.update_params(parsed)
        # Gradients that reached the other parameter set must not leak into its next step.
        optim_wrapper.zero_grad()
        return log_vars

    def stem_cost(self) -> float:
        """MAdds of the shared stem at ``cost_input_size`` (see
        :mod:`mmmtnas.models.branched.madds`)."""
        stem = self.supernet.stem
        return float(count_madds(stem, input_shaped(stem, (3, *self.cost_input_size))))

    @torch.no_grad()
    def derive_branches(self, meta: Optional[dict] = None) -> BranchStructure:
        """Discretise alpha (argmax per task and layer) into a branch structure with costs.

        Both MAdds figures cover the whole encoder (stem + searchable layers) at
        ``cost_input_size``, one image: ``derived`` is the cost of the derived network
        (stem + sum over layers of #groups x layer cost); ``expected`` is the expectation of
        that cost under ``softmax(alpha)``.

        Args:
            meta (dict, optional): Extra information to store (e.g. the iteration).

        Returns:
            BranchStructure: Ready for :func:`mmmtnas.structures.dump_branch_file`.
        """
        supernet = self.supernet
        probs = self.arch_params.probs().double()
        routing = self.arch_params.argmax_routing()
        costs = self.get_layer_costs().double().to(probs.device)
        stem = self.stem_cost()
        expected = float(self.resource_loss(probs, costs))
        derived = float(self.resource_loss.derived_cost(routing, costs))
        madds = dict(
            input_size=list(self.cost_input_size), stem=stem,
            layer_costs={n: float(c) for n, c in zip(supernet.layer_names, costs.tolist())},
            expected=stem + expected, derived=stem + derived)
        info = dict(resource_weight=self.resource_weight,
                    low_level_layer=supernet.low_level_layer)
        info.update(meta or {})
        return BranchStructure.from_routing(supernet.tasks, supernet.layer_names,
                                            routing.cpu(), probs.float().cpu(),
                                            madds=madds, meta=info)

    def routing_summary(self) -> Dict[str, List[int]]:
        """The argmax copy of every task per layer: ``{layer: [copy of task 0, ...]}``."""
        routing = self.arch_params.argmax_routing()
        return {name: routing[i].tolist() for i, name in enumerate(self.supernet.layer_names)}
