"""The base of every search algorithm: two parameter sets, two optimisers, one step per phase.

A search step (DARTS, MTNAS S2b, BMTAS) is a sequence of *phases*, each a forward pass on its own
batch followed by an update of one parameter set with one optimiser: ``'arch'`` updates the
architecture parameters, ``'weights'`` (and BMTAS's ``'warmup'``) the weights. The search loop
decides which phases an iteration runs and on which data; it hands them to :meth:`train_step` as
``dict(<phase>=<batch>, ...)`` in execution order. This class owns what is common:

* the two parameter sets and the optimiser keys (:data:`ARCH_KEY`, :data:`WEIGHTS_KEY`);
* gradient isolation: a phase's backward changes the ``.grad`` of its own set only
  (:meth:`grads_reach_only`), so one optimiser never steps on the other's loss;
* the DDP hook: every forward pass goes through ``loss_fn``, which
  :class:`~mmmtnas.models.wrappers.DeviceAgnosticDDP` points at its own
  (gradient-synchronising) forward, so one ``train_step`` serves single-process and DDP runs;
* :meth:`on_phase_start`, called by the loop when a block of one phase begins (BMTAS resets
  optimiser state and batch-norm statistics there);
* :meth:`export_architecture`, the searched structure as a file-format object that can
  ``validate``, ``dump`` and ``draw`` itself, and :meth:`architecture_weights`, the
  architecture parameters as probability tables (logged and drawn over time).
"""
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmmtnas.utils import unwrap_model
from .architecture_weights import ChoiceWeights, softmax_tables

LossFn = Callable[[Union[dict, tuple, list]], Dict[str, torch.Tensor]]
Batches = Dict[str, Union[dict, tuple, list]]

ARCH_KEY = 'arch'
WEIGHTS_KEY = 'weights'


def arch_params_of(model: nn.Module) -> nn.Module:
    """Return the architecture-parameter owner (``model.arch_params``) of a model.

    Args:
        model (nn.Module): A supernet, a :class:`SearchAlgorithm` or a model wrapper around
            either.

    Returns:
        nn.Module: The module that owns every architecture parameter.
    """
    model = unwrap_model(model)
    arch_params = getattr(model, 'arch_params', None)
    if not isinstance(arch_params, nn.Module):
        raise AttributeError(
            f'{type(model).__name__} has no `arch_params` module: a supernet must expose the '
            'owner of its architecture parameters as `model.arch_params`')
    return arch_params


class SearchAlgorithm(BaseModel):
    """What one search step does, phase by phase.

    Subclasses provide :attr:`arch_params` (the one owner of the architecture parameters) and
    :meth:`export_architecture`; they override :meth:`arch_step` / :meth:`weight_step` only where
    their maths differs (the unrolled DARTS gradient, BMTAS routing modes).

    Attributes:
        phases (tuple[str]): The phases :meth:`train_step` accepts.
    """

    phases: Tuple[str, ...] = (ARCH_KEY, WEIGHTS_KEY)

    # ------------------------------------------------------------------ parameter sets
    @property
    def arch_params(self) -> nn.Module:
        """nn.Module: The owner of every architecture parameter."""
        raise NotImplementedError

    def arch_parameters(self) -> List[nn.Parameter]:
        """Return the architecture parameters (those of :attr:`arch_params`)."""
        return list(self.arch_params.parameters())

    def weight_parameters(self) -> List[nn.Parameter]:
        """Return the weights: every parameter not owned by :attr:`arch_params`."""
        arch_ids = {id(p) for p in self.arch_params.parameters()}
        return [p for p in self.parameters() if id(p) not in arch_ids]

    @contextmanager
    def grads_reach_only(self, params: Sequence[nn.Parameter]) -> Iterator[None]:
        """Let a backward inside the block change the ``.grad`` of ``params`` only.

        Every other parameter's ``.grad`` is set aside before and put back after, so a loss's
        gradient never reaches the other optimiser (and what that optimiser has accumulated is
        kept).
        """
        keep = {id(p) for p in params}
        others = [p for p in self.parameters() if id(p) not in keep]
        saved = [p.grad for p in others]
        for p in others:
            p.grad = None
        try:
            yield
        finally:
            for p, grad in zip(others, saved):
                p.grad = grad

    @staticmethod
    def split_optim_wrapper(
            optim_wrapper: OptimWrapperDict) -> Dict[str, OptimWrapper]:
        """Check that ``optim_wrapper`` holds the two keys and return them as a dict."""
        if not isinstance(optim_wrapper, OptimWrapperDict):
            raise TypeError(f"a search needs an OptimWrapperDict with keys '{WEIGHTS_KEY}' and "
                            f"'{ARCH_KEY}' (constructor='mmmtnas.BilevelOptimWrapperConstructor'),"
                            f' got {type(optim_wrapper).__name__}')
        missing = {WEIGHTS_KEY, ARCH_KEY} - set(optim_wrapper.keys())
        if missing:
            raise KeyError(f'optim_wrapper lacks key(s) {sorted(missing)}; it has '
                           f'{sorted(optim_wrapper.keys())}')
        return {WEIGHTS_KEY: optim_wrapper[WEIGHTS_KEY], ARCH_KEY: optim_wrapper[ARCH_KEY]}

    # ------------------------------------------------------------------ one step
    def train_step(self,
                   data: Batches,
                   optim_wrapper: OptimWrapperDict,
                   loss_fn: Optional[LossFn] = None) -> Dict[str, torch.Tensor]:
        """Run the phases of one iteration in the order ``data`` gives them.

        Args:
            data (dict): ``dict(<phase>=<batch>, ...)`` with phases from :attr:`phases`, each
                batch as the dataloader yields it (before the data preprocessor).
            optim_wrapper (OptimWrapperDict): With keys ``'weights'`` and ``'arch'``.
            loss_fn (callable, optional): Maps a pre-processed batch to the loss dict. None
                runs this module's forward; the DDP wrapper passes its own forward so that
                gradients are synchronised. Defaults to None.

        Returns:
            dict[str, Tensor]: Log variables: the losses of the weight (or warm-up) phase as
            the model names them, those of the architecture phase prefixed with ``arch.``.
        """
        if not isinstance(data, dict) or not data or not set(data) <= set(self.phases):
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise KeyError(f'{type(self).__name__}.train_step expects data=dict(<phase>=batch) '
                           f'with phases from {list(self.phases)}, got {got}')
        wrappers = self.split_optim_wrapper(optim_wrapper)
        loss_fn = loss_fn or self._forward_loss
        batches = {phase: self.data_preprocessor(batch, True) for phase, batch in data.items()}
        log_vars: Dict[str, torch.Tensor] = {}
        for phase in data:
            if phase == ARCH_KEY:
                log_vars.update({f'{ARCH_KEY}.{k}': v for k, v in
                                 self.arch_step(batches, wrappers, loss_fn).items()})
            else:
                log_vars.update(self.weight_step(batches, wrappers, loss_fn, phase=phase))
        return log_vars

    def arch_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                  loss_fn: LossFn) -> Dict[str, torch.Tensor]:
        """Update the architecture parameters on ``batches['arch']``; return its log."""
        return self.update(ARCH_KEY, batches[ARCH_KEY], wrappers, loss_fn)

    def weight_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                    loss_fn: LossFn, phase: str = WEIGHTS_KEY) -> Dict[str, torch.Tensor]:
        """Update the weights on ``batches[phase]``; return its log."""
        return self.update(WEIGHTS_KEY, batches[phase], wrappers, loss_fn)

    def update(self, key: str, batch, wrappers: Dict[str, OptimWrapper], loss_fn: LossFn,
               loss: Optional[torch.Tensor] = None,
               log_vars: Optional[dict] = None,
               step: bool = True) -> Dict[str, torch.Tensor]:
        """Forward ``batch`` (unless ``loss`` is given) and step the ``key`` optimiser on it.

        With ``step=False`` the loss is only back-propagated: its gradient is added to what
        the ``key`` set has accumulated, and a later call with ``step=True`` steps on the sum
        (one optimiser step over several forward passes, each with its own backward, so a DDP
        wrapper sees forward/backward pairs).

        Args:
            key (str): ``'arch'`` or ``'weights'``: which optimiser and parameter set.
            batch: A pre-processed batch.
            wrappers (dict): The two optim wrappers.
            loss_fn (callable): Maps a batch to the loss dict.
            loss (Tensor, optional): A ready loss (e.g. a surrogate) instead of a forward pass.
            log_vars (dict, optional): Log variables that go with ``loss``.
            step (bool): Step (and then zero) the optimiser after the backward. Defaults to
                True.

        Returns:
            dict[str, Tensor]: The log variables.
        """
        wrapper = wrappers[key]
        if loss is None:
            with wrapper.optim_context(self):
                losses = loss_fn(batch)
            loss, log_vars = self.parse_losses(losses)
        params = self.arch_parameters() if key == ARCH_KEY else self.weight_parameters()
        with self.grads_reach_only(params):
            if step:
                wrapper.update_params(loss)
            else:
                wrapper.backward(loss)
        return log_vars or {}

    def _forward_loss(self, batch: Union[dict, tuple, list]) -> Dict[str, torch.Tensor]:
        return self._run_forward(batch, mode='loss')  # type: ignore

    # ------------------------------------------------------------------ loop callbacks
    def on_phase_start(self, phase: str, optim_wrapper: OptimWrapperDict) -> None:
        """Called by the loop when a block of ``phase`` starts afresh (not on resume).

        Args:
            phase (str): The phase about to run.
            optim_wrapper (OptimWrapperDict): The runner's optim wrappers.
        """

    # ------------------------------------------------------------------ random architectures
    def sample_architecture(self, rng) -> dict:
        """Draw one architecture of the search space uniformly (random search).

        Args:
            rng (numpy.random.Generator): The generator.

        Returns:
            dict: Part name -> its architecture (with a ``to_dict()``), as
            :meth:`set_architecture` takes it.
        """
        raise NotImplementedError(f'{type(self).__name__} cannot sample architectures')

    def set_architecture(self, architecture: dict) -> None:
        """Make the supernet compute (and export) exactly ``architecture``.

        Args:
            architecture (dict): As :meth:`sample_architecture` returns it.
        """
        raise NotImplementedError(f'{type(self).__name__} cannot fix an architecture')

    # ------------------------------------------------------------------ export
    def architecture_weights(self) -> Dict[str, ChoiceWeights]:
        """The architecture parameters as probabilities, one table per group of choice points
        (what :class:`~mmmtnas.engine.hooks.ArchitectureWeightsLoggerHook` logs and the export
        hook draws).

        The base reads every parameter of :attr:`arch_params` as logits over its last
        dimension; subclasses name the rows and columns (edges and ops, layers and copies).

        Returns:
            dict[str, ChoiceWeights]: By ``/``-separated table name.
        """
        return softmax_tables(self.arch_params)

    def export_architecture(self, meta: Optional[dict] = None):
        """Return the searched structure (a genotype set or a branch structure).

        Args:
            meta (dict, optional): Extra information to store with it (e.g. the iteration).
        """
        raise NotImplementedError
