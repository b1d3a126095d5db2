"""Pareto multi-task learning (Lin et al., NeurIPS 2019) on any multi-task model.

K preference vectors ``u_1..u_K`` split the loss space into K cones; a run looks for a Pareto
optimal solution in the cone of its own vector ``u_k``: ``Omega_k = {v : (u_j - u_k)^T v <= 0
for all j}``. Each training step computes the task losses ``L`` and their gradients over the
shared parameters, finds the constraints ``G_j = (u_j - u_k)^T L / ||L||`` that are violated
(``> 0``, "active") and weights the task losses by the solution of a min-norm problem:

* initial phase (until a step finds no active constraint, or ``init_max_iters`` steps): descend
  on the active constraints only, ``d = sum_j beta_j grad G_j`` with ``beta`` the min-norm
  weights of the constraint gradients ``grad G_j = sum_t (u_j - u_k)_t grad L_t``; the task
  weights are ``w = sum_j beta_j (u_j - u_k)`` (they may be negative: a task's loss may have to
  grow to enter the cone);
* Pareto MTL phase: the min-norm point of the task gradients and the active constraint
  gradients together (MGDA when none is active), ``w_t = alpha_t + sum_j beta_j (u_j - u_k)_t``,
  rescaled so that ``sum_t |w_t| = T``.

The weighted loss ``sum_t w_t L_t`` is then back-propagated through the whole model and stepped
by the ordinary optimiser wrapper (the task heads get their own loss's gradient, weighted).
"""
from typing import Dict, List, NamedTuple, Optional, Sequence, Union

import numpy as np
import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper

from mmmtnas.registry import MODELS
from .min_norm_solver import min_norm_element

INIT, PARETO = 'init', 'pareto'


def preference_vectors(num: int) -> np.ndarray:
    """``num`` unit preference vectors of two tasks, evenly spread over the first quadrant.

    Args:
        num (int): K >= 2. The paper uses K = 5.

    Returns:
        np.ndarray: ``(num, 2)``; row ``i`` is ``(cos t_i, sin t_i)``, ``t_i = i pi / (2 (K - 1))``.
    """
    if isinstance(num, bool) or not isinstance(num, int) or num < 2:
        raise ValueError(f'num_preferences must be an int >= 2, got {num!r}')
    angles = np.linspace(0., 0.5 * np.pi, num)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


class ParetoStep(NamedTuple):
    """The outcome of one Pareto MTL weighting.

    Attributes:
        weights (np.ndarray, optional): Task weights (T,); None when the initial phase finds the
            point already feasible (the caller switches to the Pareto MTL phase).
        active (list[int]): Indices of the active constraints (preference vectors j).
        phase (str): ``'init'`` or ``'pareto'``.
    """
    weights: Optional[np.ndarray]
    active: List[int]
    phase: str


def active_constraints(losses, preferences: np.ndarray, index: int) -> List[int]:
    """Preference vectors ``j`` whose constraint ``(u_j - u_k)^T L / ||L|| > 0`` is violated.

    Args:
        losses (array-like): Task losses (T,).
        preferences (np.ndarray): ``(K, T)`` preference vectors.
        index (int): k, the run's preference vector.

    Returns:
        list[int]: The active j (never k itself: its constraint is 0).
    """
    losses = np.asarray(losses, dtype=np.float64)
    norm = np.linalg.norm(losses)
    if norm == 0.:
        return []
    values = (preferences - preferences[index]) @ (losses / norm)
    return [int(j) for j in np.flatnonzero(values > 0.)]


def pareto_mtl_weights(gram, losses, preferences: np.ndarray, index: int,
                       phase: str = PARETO, solver: str = 'auto') -> ParetoStep:
    """Task weights of one Pareto MTL step.

    Args:
        gram (array-like): ``(T, T)`` Gram matrix of the task gradients over the shared
            parameters, ``M[s, t] = grad L_s . grad L_t``.
        losses (array-like): Task losses (T,), positive.
        preferences (np.ndarray): ``(K, T)`` preference vectors.
        index (int): k, the run's preference vector.
        phase (str): ``'init'`` or ``'pareto'``. Defaults to 'pareto'.
        solver (str): Method of :func:`min_norm_element`. Defaults to 'auto'.

    Returns:
        ParetoStep: The weights, the active constraints and the phase.
    """
    if phase not in (INIT, PARETO):
        raise ValueError(f"phase must be '{INIT}' or '{PARETO}', got {phase!r}")
    gram = np.asarray(gram, dtype=np.float64)
    num_tasks = gram.shape[0]
    prefs = np.asarray(preferences, dtype=np.float64)
    if prefs.ndim != 2 or prefs.shape[1] != num_tasks or not 0 <= index < prefs.shape[0]:
        raise ValueError(f'preferences of shape {prefs.shape} and index {index} do not fit '
                         f'{num_tasks} tasks')
    active = active_constraints(losses, prefs, index)
    directions = prefs[active] - prefs[index]  # (A, T): grad G_j = directions[j] @ grads
    if phase == INIT:
        if not active:
            return ParetoStep(None, [], INIT)
        beta, _ = min_norm_element(directions @ gram @ directions.T, solver)
        return ParetoStep(beta @ directions, active, INIT)
    basis = np.concatenate([np.eye(num_tasks), directions], axis=0)  # task grads, then G_j's
    alpha, _ = min_norm_element(basis @ gram @ basis.T, solver)
    weights = alpha @ basis
    total = np.abs(weights).sum()
    if total > 0.:
        weights = weights * (num_tasks / total)
    return ParetoStep(weights, active, PARETO)


@MODELS.register_module()
class ParetoMTL(BaseModel):
    """Train a multi-task model with Pareto MTL task weights (one preference vector per run).

    The loop feeds one batch per task each iteration (``dict(<task>=<batch>, ...)``,
    :class:`~mmmtnas.engine.loops.JointTaskTrainLoop`), so datasets labelled for one task each
    (the driving mixed set) work: task ``t``'s loss is the architecture's loss on its own batch.
    Prediction, validation and testing are the architecture's.

    Args:
        architecture (dict | BaseModel): The multi-task model, e.g.
            ``mmmtnas.DetSegMultiTaskModel``; its ``tasks`` attribute orders the tasks, its
            ``loss(inputs, data_samples)`` on a batch labelled for one task returns that task's
            losses (keys containing ``'loss'``).
        num_preferences (int): K, the number of evenly spread preference vectors. Defaults to
            5 (the paper's).
        preference_index (int): k in ``[0, K)``: this run's vector ``(cos t_k, sin t_k)`` over
            ``(tasks[0], tasks[1])``. A loss vector close to ``(1, 0)`` means a large
            ``tasks[0]`` loss, so a large k favours ``tasks[0]``. Defaults to 2 (45 degrees).
        shared_modules (Sequence[str]): Attributes of the architecture whose parameters are
            the shared ones (the gradients of the min-norm problem). Defaults to
            ``('backbone', 'neck')``.
        init_max_iters (int): Steps of the initial (feasibility) phase at most; 0 skips it.
            Defaults to 200.
        solver (str): :func:`min_norm_element` method. Defaults to 'auto'.
        init_cfg (dict, optional): Initialisation config. Defaults to None.

    Note:
        One process only: the gradient probes of a step are per process and are not averaged
        over ranks.
    """

    def __init__(self,
                 architecture: Union[dict, BaseModel],
                 num_preferences: int = 5,
                 preference_index: int = 2,
                 shared_modules: Sequence[str] = ('backbone', 'neck'),
                 init_max_iters: int = 200,
                 solver: str = 'auto',
                 init_cfg: Optional[dict] = None) -> None:
        if isinstance(architecture, dict):
            architecture = MODELS.build(architecture)
        if not isinstance(architecture, BaseModel):
            raise TypeError('ParetoMTL: `architecture` must be a BaseModel or its config, got '
                            f'{type(architecture).__name__}')
        super().__init__(data_preprocessor=architecture.data_preprocessor, init_cfg=init_cfg)
        self.architecture = architecture
        self.tasks = tuple(getattr(architecture, 'tasks', ()))
        if len(self.tasks) != 2:
            raise ValueError(f'ParetoMTL: the preference vectors are for 2 tasks; the '
                             f'architecture has tasks {list(self.tasks)}')
        self.preferences = preference_vectors(num_preferences)
        if isinstance(preference_index, bool) or not isinstance(preference_index, int) or \
                not 0 <= preference_index < num_preferences:
            raise ValueError(f'ParetoMTL: preference_index must be an int in [0, '
                             f'{num_preferences}), got {preference_index!r}')
        self.preference_index = preference_index
        missing = [m for m in shared_modules if getattr(architecture, m, None) is None]
        if not shared_modules or missing:
            raise ValueError(f'ParetoMTL: shared_modules {list(shared_modules)} must name '
                             f'modules of {type(architecture).__name__}; missing {missing}')
        self.shared_modules = tuple(shared_modules)
        if init_max_iters < 0:
            raise ValueError(f'ParetoMTL: init_max_iters must be >= 0, got {init_max_iters}')
        self.init_max_iters = int(init_max_iters)
        self.solver = solver
        # phase state in buffers: saved with checkpoints, so a resumed run stays in its phase
        self.register_buffer('init_steps', torch.zeros((), dtype=torch.long))
        self.register_buffer('init_done', torch.tensor(self.init_max_iters == 0))

    # ------------------------------------------------------------------ parameters
    def shared_parameters(self) -> List[nn.Parameter]:
        """The trainable parameters of :attr:`shared_modules`."""
        params = []
        for name in self.shared_modules:
            params += [p for p in getattr(self.architecture, name).parameters() if p.requires_grad]
        return params

    @property
    def phase(self) -> str:
        """``'init'`` until a feasible point is found or the phase's steps are spent."""
        done = bool(self.init_done) or int(self.init_steps) >= self.init_max_iters
        return PARETO if done else INIT

    # ------------------------------------------------------------------ training
    def task_losses(self, batches: Dict[str, dict]) -> Dict[str, dict]:
        """Each task's loss dict on its own pre-processed batch."""
        losses = {}
        for task in self.tasks:
            out = self.architecture.loss(**batches[task])
            if not any('loss' in k for k in out):
                raise ValueError(f'ParetoMTL: the {task!r} batch produced no loss; is it '
                                 f'labelled for {task!r}?')
            losses[task] = out
        return losses

    def shared_gram(self, totals: Sequence[torch.Tensor]) -> torch.Tensor:
        """Gram matrix of the task losses' gradients over the shared parameters.

        Args:
            totals (Sequence[Tensor]): One scalar loss per task (graphs kept).

        Returns:
            Tensor: ``(T, T)`` float64.
        """
        params = self.shared_parameters()
        flat = []
        for total in totals:
            grads = torch.autograd.grad(total, params, retain_graph=True, allow_unused=True)
            flat.append(torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1)
                                   for g, p in zip(grads, params)]))
        stacked = torch.stack(flat).double()
        return stacked @ stacked.T

    def train_step(self, data: Dict[str, Union[dict, tuple, list]],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """One Pareto MTL step on one batch per task.

        Args:
            data (dict): ``dict(<task>=<batch>)`` for every task of the architecture.
            optim_wrapper (OptimWrapper): The model's optimiser wrapper.

        Returns:
            dict[str, Tensor]: The task losses (unweighted, as the architecture names them),
            ``loss`` (the weighted sum stepped on), ``pareto_w_<task>`` and
            ``pareto_active`` (number of active constraints).
        """
        if not isinstance(data, dict) or set(data) != set(self.tasks):
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise KeyError(f'ParetoMTL.train_step expects one batch per task, '
                           f'dict({", ".join(f"{t}=..." for t in self.tasks)}), got {got} '
                           "(train_cfg=dict(type='mmmtnas.JointTaskTrainLoop', ...))")
        batches = {t: self.data_preprocessor(data[t], True) for t in self.tasks}
        with optim_wrapper.optim_context(self):
            losses = self.task_losses(batches)
        parsed = {t: self.parse_losses(losses[t]) for t in self.tasks}
        totals = [parsed[t][0] for t in self.tasks]
        gram = self.shared_gram(totals).cpu().numpy()
        values = np.array([float(v.detach()) for v in totals])
        if not (np.all(np.isfinite(values)) and np.all(np.isfinite(gram))):
            # no weighting of a NaN: step on the plain sum, whose logged non-finite loss stops
            # the run (FiniteLossHook) before anything is saved
            step = ParetoStep(np.ones(len(self.tasks)), [], self.phase)
        else:
            step = self._weights(gram, values)
        weights = torch.as_tensor(step.weights, dtype=totals[0].dtype, device=totals[0].device)
        loss = sum(w * total for w, total in zip(weights, totals))
        optim_wrapper.update_params(loss)
        log_vars = {}
        for task in self.tasks:
            log_vars.update({k: v.detach() for k, v in parsed[task][1].items()})
        log_vars['loss'] = loss.detach()
        for task, weight in zip(self.tasks, step.weights):
            log_vars[f'pareto_w_{task}'] = torch.tensor(float(weight))
        log_vars['pareto_active'] = torch.tensor(float(len(step.active)))
        return log_vars

    def _weights(self, gram: np.ndarray, values: np.ndarray) -> ParetoStep:
        step = pareto_mtl_weights(gram, values, self.preferences, self.preference_index,
                                  self.phase, self.solver)
        if step.phase == INIT:
            self.init_steps += 1
            if step.weights is None:  # feasible: the Pareto MTL phase starts with this batch
                self.init_done.fill_(True)
                step = pareto_mtl_weights(gram, values, self.preferences,
                                          self.preference_index, PARETO, self.solver)
        return step

    # ------------------------------------------------------------------ inference
    def forward(self, inputs: torch.Tensor, data_samples=None, mode: str = 'tensor'):
        """The architecture's forward for ``'predict'`` and ``'tensor'``; training goes through
        :meth:`train_step` (a DDP wrapper, which calls ``mode='loss'``, is not supported)."""
        if mode == 'loss':
            raise RuntimeError('ParetoMTL trains through its own train_step (one batch per task, '
                               'one process); it has no single-batch loss')
        return self.architecture(inputs, data_samples, mode=mode)

    def val_step(self, data):
        """The architecture's ``val_step``."""
        return self.architecture.val_step(data)

    def test_step(self, data):
        """The architecture's ``test_step``."""
        return self.architecture.test_step(data)

    def check_dataset_meta(self, *args, **kwargs) -> None:
        """The architecture's check of a task's dataset (see the multi-task loops)."""
        check = getattr(self.architecture, 'check_dataset_meta', None)
        if check is not None:
            check(*args, **kwargs)
