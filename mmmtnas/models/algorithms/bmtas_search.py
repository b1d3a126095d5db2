"""What one BMTAS search step does: warm-up, architecture or weight update of a branched
supernet inside a dense multi-task model (Bruggemann et al., BMVC 2020, §3 and App. A).

Which phase runs when and on which data is the search loop's schedule (``bmtas_phases``); this
class computes the loss of a phase, steps the one optimiser that phase owns, and resets what the
paper resets when a phase block starts (:meth:`BMTASSearch.on_phase_start`).
"""
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmmtnas.models.branched.branched_supernet import BranchedSupernet
from mmmtnas.models.branched.madds import count_madds, input_shaped
from mmmtnas.models.search import ARCH_KEY, WEIGHTS_KEY, SearchAlgorithm
from mmmtnas.models.search.search_algorithm import Batches, LossFn
from mmmtnas.registry import MODELS
from mmmtnas.structures.branch_file import BranchStructure

WARMUP = 'warmup'
PHASES = (WARMUP, ARCH_KEY, WEIGHTS_KEY)


@MODELS.register_module()
class BMTASSearch(SearchAlgorithm):
    """Branched multi-task architecture search over a dense multi-task model.

    Phases (the keys of the data :meth:`train_step` receives):

    - ``'warmup'``: task ``t`` runs only through copy ``t`` of every layer; only the weights
      optimiser steps, so alpha stays at zero.
    - ``'arch'``: Gumbel-softmax routing; loss ``sum_t w_t L_t + lambda * L_R`` where ``L_R``
      is the expected encoder cost under ``softmax(alpha)``; only the ``arch`` optimiser steps.
      ``lambda`` multiplies the resource term once per step, however many tasks there are.
    - ``'weights'``: Gumbel-softmax routing; loss ``sum_t w_t L_t``; only the ``weights``
      optimiser steps.

    The task weights ``w_t`` are applied by the dense model. When an architecture block
    starts, the ``arch`` optimiser's state is reset; when a weight block starts, the ``weights``
    optimiser's state and the supernet's batch-norm running statistics are reset, because the
    architecture they were estimated for has changed.

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
        self.phase = WEIGHTS_KEY
        self.set_phase(WEIGHTS_KEY)

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

    def unused_in_some_steps(self) -> List[str]:
        """The warm-up routes each task through its own copies, so no warm-up loss reaches the
        routing parameters (read by :class:`~mmmtnas.models.wrappers.DeviceAgnosticDDP`)."""
        arch = {id(p) for p in self.arch_parameters()}
        return [name for name, p in self.named_parameters() if id(p) in arch]

    def set_phase(self, phase: str) -> None:
        """Select 'warmup', 'arch' or 'weights' (see the class docstring): the routing mode
        and whether :meth:`loss` adds the resource term."""
        if phase not in PHASES:
            raise ValueError(f'phase must be one of {PHASES}, got {phase!r}')
        self.phase = phase
        self.supernet.set_routing_mode('identity' if phase == WARMUP else 'gumbel')

    # ------------------------------------------------------------------ steps
    phases = PHASES

    def arch_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                  loss_fn: LossFn) -> Dict[str, Tensor]:
        """Gumbel routing, task losses plus the resource term; the ``arch`` optimiser steps."""
        self.set_phase(ARCH_KEY)
        return super().arch_step(batches, wrappers, loss_fn)

    def weight_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                    loss_fn: LossFn, phase: str = WEIGHTS_KEY) -> Dict[str, Tensor]:
        """Identity routing ('warmup') or Gumbel routing ('weights'); task losses; the
        ``weights`` optimiser steps."""
        self.set_phase(phase)
        return super().weight_step(batches, wrappers, loss_fn, phase=phase)

    def on_phase_start(self, phase: str, optim_wrapper: OptimWrapperDict) -> None:
        """Reset what the paper resets when a block of ``phase`` starts afresh."""
        if phase == ARCH_KEY:
            optim_wrapper[ARCH_KEY].optimizer.state = defaultdict(dict)
        elif phase == WEIGHTS_KEY:
            optim_wrapper[WEIGHTS_KEY].optimizer.state = defaultdict(dict)
            for m in self.supernet.modules():
                if isinstance(m, _BatchNorm):
                    m.reset_running_stats()

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
        if self.phase == ARCH_KEY:
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

    def stem_cost(self) -> float:
        """MAdds of the shared stem at ``cost_input_size`` (see
        :mod:`mmmtnas.models.branched.madds`)."""
        stem = self.supernet.stem
        return float(count_madds(stem, input_shaped(stem, (3, *self.cost_input_size))))

    @torch.no_grad()
    def export_architecture(self, meta: Optional[dict] = None) -> BranchStructure:
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
