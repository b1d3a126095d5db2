"""What one BMTAS search step does: warm-up, architecture or weight update of a branched
supernet inside a dense multi-task model (Bruggemann et al., BMVC 2020, §3 and App. A).

Which phase runs when and on which data is the search loop's schedule (``bmtas_phases``); this
class computes the loss of a phase, steps the one optimiser that phase owns, and resets what the
paper resets when a phase block starts (:meth:`BMTASSearch.on_phase_start`).

Update order (``update``). ``'per_task'`` (default) is the paper's (App. A, "we update the
supergraph sequentially for each task") and its reference code's: a weight (or warm-up) batch
takes one optimiser step per task, in task order, each on that task's own forward pass; an
architecture batch back-propagates each task's loss, resource term included, through its own
forward pass and then takes one Adam step on the accumulated gradient. ``'summed'`` (a
departure, kept as an option) takes one step on the sum of the task losses of one forward pass
in both phases. Either way the resource term enters once per task: ``T * lambda * L_R`` per
architecture batch, as in the reference code.
"""
from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmseg.utils import ConfigType, OptConfigType, SampleList
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmmtnas.models.branched.branched_supernet import BranchedSupernet
from mmmtnas.models.branched.madds import count_madds, input_shaped
from mmmtnas.models.search import ARCH_KEY, WEIGHTS_KEY, ChoiceWeights, SearchAlgorithm
from mmmtnas.models.search.search_algorithm import Batches, LossFn
from mmmtnas.registry import MODELS
from mmmtnas.structures.branch_file import BranchStructure

WARMUP = 'warmup'
PHASES = (WARMUP, ARCH_KEY, WEIGHTS_KEY)
UPDATE_ORDERS = ('per_task', 'summed')
COST_METRICS = ('madds', 'flops')


def merge_logs(parts: Iterable[Dict[str, Tensor]]) -> Dict[str, Tensor]:
    """One log of several per-task updates: ``loss*`` entries add up, the others (each task's
    own, or the same in every part) are kept; values are detached."""
    out: Dict[str, Tensor] = {}
    for part in parts:
        for key, value in part.items():
            value = value.detach()
            out[key] = out[key] + value if key in out and key.startswith('loss') else value
    return out


@MODELS.register_module()
class BMTASSearch(SearchAlgorithm):
    """Branched multi-task architecture search over a dense multi-task model.

    Phases (the keys of the data :meth:`train_step` receives):

    - ``'warmup'``: task ``t`` runs only through copy ``t`` of every layer; only the weights
      optimiser steps, so alpha stays at zero.
    - ``'arch'``: Gumbel-softmax routing; loss ``sum_t (w_t L_t + lambda * L_R)`` where
      ``L_R`` is the expected encoder cost under ``softmax(alpha)``: the resource term is
      counted once per task, as in the paper's code. Only the ``arch`` optimiser steps, once.
    - ``'weights'``: Gumbel-softmax routing; loss ``sum_t w_t L_t``; only the ``weights``
      optimiser steps (once per task with ``update='per_task'``).

    ``lambda`` means what it means in the paper when the cost table is counted as the authors
    count it: ``cost_metric='flops'``, ``cost_input_size`` = the full-resolution crop (512x512
    on PASCAL-Context, not the half-resolution search crop), ``cost_unit=1e9`` (GFLOPs) and
    ``resource_loss=dict(type='mmmtnas.ResourceLoss', mode='paper')``.

    The task weights ``w_t`` are applied by the dense model. When an architecture block
    starts, the ``arch`` optimiser's state is reset; when a weight block starts, the ``weights``
    optimiser's state and the supernet's batch-norm running statistics are reset, because the
    architecture they were estimated for has changed.

    Args:
        model (dict): A dense multi-task model config (``mmmtnas.DenseMultiTaskModel``) whose
            ``encoder`` is a ``mmmtnas.BranchedSupernet``.
        resource_weight (float): ``lambda``, per task (see above). 0 searches for accuracy
            only.
        resource_loss (dict): Config of the expected-cost loss. Defaults to
            ``dict(type='mmmtnas.ResourceLoss', mode='exact')``.
        cost_input_size (tuple[int, int]): Image ``(H, W)`` at which the per-layer cost table
            is measured (the reference code: the full-resolution crop) and at which the
            exported branch file's MAdds are given.
        layer_costs (Sequence[float], optional): Per-layer costs in ``cost_metric``, in layer
            order, instead of measuring them.
        cost_cache (str, optional): File caching the measured table (keyed by model and size).
        cost_unit (float): Costs per unit of ``L_R``; 1e9 makes ``lambda`` a weight per
            GMAdd (GFLOP). Defaults to 1e9.
        cost_metric (str): 'madds' (multiply-adds) or 'flops' (the reference code's count,
            about twice the MAdds; see :mod:`mmmtnas.models.branched.madds`). Defaults to
            'madds'.
        update (str): 'per_task' (the paper's order) or 'summed' (one step on the summed
            task losses; a departure). See the module docstring. Defaults to 'per_task'.
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
                 cost_metric: str = 'madds',
                 update: str = 'per_task',
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
        if cost_metric not in COST_METRICS:
            raise ValueError(f'cost_metric must be one of {COST_METRICS}, got {cost_metric!r}')
        self.cost_metric = cost_metric
        if update not in UPDATE_ORDERS:
            raise ValueError(f'update must be one of {UPDATE_ORDERS}, got {update!r}')
        self.update_order = update
        self._layer_madds: Optional[Tensor] = None  # for the export when costs are not MAdds
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

    @property
    def tasks(self) -> List[str]:
        """The searched tasks, in update order."""
        return self.model.tasks

    def arch_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                  loss_fn: LossFn) -> Dict[str, Tensor]:
        """Gumbel routing, task losses plus the resource term; the ``arch`` optimiser steps
        once (per task: one forward and backward each, gradients accumulated)."""
        self.set_phase(ARCH_KEY)
        if self.update_order == 'summed':
            return super().arch_step(batches, wrappers, loss_fn)
        last = len(self.tasks) - 1
        return merge_logs(
            self.update(ARCH_KEY, dict(batches[ARCH_KEY], tasks=[task]), wrappers, loss_fn,
                        step=i == last) for i, task in enumerate(self.tasks))

    def weight_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                    loss_fn: LossFn, phase: str = WEIGHTS_KEY) -> Dict[str, Tensor]:
        """Identity routing ('warmup') or Gumbel routing ('weights'); task losses; the
        ``weights`` optimiser steps (per task: one forward, backward and step each, in task
        order)."""
        self.set_phase(phase)
        if self.update_order == 'summed':
            return super().weight_step(batches, wrappers, loss_fn, phase=phase)
        return merge_logs(
            self.update(WEIGHTS_KEY, dict(batches[phase], tasks=[task]), wrappers, loss_fn)
            for task in self.tasks)

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
        """Per-layer cost of one copy in ``cost_metric``, ``[L]`` (measured once at
        ``cost_input_size``)."""
        if self.layer_costs.numel() == 0:
            self.layer_costs = self._measure(self.cost_metric)
        return self.layer_costs

    def layer_madds(self) -> Tensor:
        """Per-layer MAdds of one copy at ``cost_input_size``, ``[L]`` (for the export)."""
        if self.cost_metric == 'madds':
            return self.get_layer_costs()
        if self._layer_madds is None:
            self._layer_madds = self._measure('madds')
        return self._layer_madds

    def _measure(self, metric: str) -> Tensor:
        from mmmtnas.models.branched.cost_table import supernet_layer_costs
        costs = supernet_layer_costs(self.supernet, self.cost_input_size,
                                     cache_file=self.cost_cache, metric=metric)
        return torch.as_tensor(costs, dtype=torch.float64, device=self.layer_costs.device)

    def expected_cost(self) -> Tensor:
        """Expected encoder cost (searchable layers) under ``softmax(alpha)``, in
        ``cost_metric`` per ``cost_unit`` (differentiable w.r.t. alpha)."""
        probs = self.arch_params.probs()
        costs = self.get_layer_costs().to(probs) / self.cost_unit
        return self.resource_loss(probs, costs)

    # ------------------------------------------------------------------ forward
    def loss(self, inputs: Tensor, data_samples: SampleList,
             tasks: Optional[Sequence[str]] = None) -> Dict[str, Tensor]:
        """Task losses of the dense model, plus ``loss_resource`` in the 'arch' phase.

        Args:
            tasks (Sequence[str], optional): Only these tasks (one per-task update). Defaults
                to all.

        Returns:
            dict[str, Tensor]: ``<task>.loss_*`` (weighted by the dense model) and, in the
            architecture phase, ``loss_resource = len(tasks) * lambda * L_R`` (the resource
            term once per task) and ``expected_cost``.
        """
        losses = self.model.loss(inputs, data_samples, tasks=tasks)
        if self.phase == ARCH_KEY:
            expected = self.expected_cost()
            losses['expected_cost'] = expected.detach()
            if self.resource_weight > 0:
                count = len(self.tasks if tasks is None else tasks)
                losses['loss_resource'] = count * self.resource_weight * expected
        return losses

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[SampleList] = None,
                mode: str = 'tensor',
                tasks: Optional[Sequence[str]] = None) -> Union[Dict[str, Tensor], SampleList]:
        """'loss' -> :meth:`loss` (of ``tasks``, default all); 'predict' and 'tensor' -> the
        dense model (argmax routes in eval mode)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples, tasks=tasks)
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
        ``cost_input_size``, one image (MAdds whatever ``cost_metric`` the resource term
        uses): ``derived`` is the cost of the derived network
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
        costs = self.layer_madds().double().to(probs.device)
        stem = self.stem_cost()
        expected = float(self.resource_loss(probs, costs))
        derived = float(self.resource_loss.derived_cost(routing, costs))
        madds = dict(
            input_size=list(self.cost_input_size), stem=stem,
            layer_costs={n: float(c) for n, c in zip(supernet.layer_names, costs.tolist())},
            expected=stem + expected, derived=stem + derived)
        info = dict(resource_weight=self.resource_weight, update=self.update_order,
                    low_level_layer=supernet.low_level_layer)
        info.update(meta or {})
        return BranchStructure.from_routing(supernet.tasks, supernet.layer_names,
                                            routing.cpu(), probs.float().cpu(),
                                            madds=madds, meta=info)

    @torch.no_grad()
    def architecture_weights(self) -> Dict[str, ChoiceWeights]:
        """Per task (``'routing/<task>'``): its routing probabilities ``softmax(alpha)`` over
        each searchable layer's copies (layers x copies), as the branch file stores them."""
        probs = self.arch_params.probs().float().cpu()
        tasks, layers = self.supernet.tasks, self.supernet.layer_names
        copies = [f'copy{c}' for c in range(len(tasks))]
        return {f'routing/{task}': ChoiceWeights(list(layers), copies, probs[:, t])
                for t, task in enumerate(tasks)}

    def routing_summary(self) -> Dict[str, List[int]]:
        """The argmax copy of every task per layer: ``{layer: [copy of task 0, ...]}``."""
        routing = self.arch_params.argmax_routing()
        return {name: routing[i].tolist() for i, name in enumerate(self.supernet.layer_names)}
