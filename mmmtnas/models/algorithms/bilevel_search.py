"""DARTS bi-level optimisation of a supernet: weights on one split, architecture on the other.

One training step (SPEC §2) is an architecture step on a validation batch followed by a weight
step on a training batch, each optimiser stepping on its own loss's gradient only:

* first order: ``grad_alpha = d L_val(w, alpha) / d alpha``;
* unrolled second order: ``w' = w - xi * grad_w L_train(w, alpha)`` and
  ``grad_alpha = grad_alpha L_val(w', alpha) - xi * H`` where ``H`` is the finite-difference
  Hessian-vector product ``(grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) /
  (2 eps)``, ``w+- = w +- eps * grad_w' L_val(w', alpha)``, ``eps = 0.01 / ||grad_w' L_val||``.
  The virtual step is undone exactly (weights and buffers) before the real weight step.

The same ``train_step`` serves single-process and DDP runs: every forward pass goes through
``loss_fn``, which :class:`~mmmtnas.models.algorithms.BilevelDistributedDataParallel` points at
its own (gradient-synchronising) forward.
"""
import math
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, OptimWrapperDict

from mmmtnas.models.nas.searchable_part import bind_architecture, searchable_parts
from mmmtnas.registry import MODELS

LossFn = Callable[[Union[dict, tuple, list]], Dict[str, torch.Tensor]]

ARCH_KEY = 'arch'
WEIGHTS_KEY = 'weights'


def arch_params_of(model: nn.Module) -> nn.Module:
    """Return the architecture-parameter owner (``model.arch_params``) of a model.

    Args:
        model (nn.Module): A supernet, a :class:`BilevelSearchAlgorithm` or a model wrapper
            around either.

    Returns:
        nn.Module: The module that owns every architecture parameter.
    """
    model = getattr(model, 'module', model)  # unwrap DDP-style wrappers
    arch_params = getattr(model, 'arch_params', None)
    if not isinstance(arch_params, nn.Module):
        raise AttributeError(
            f'{type(model).__name__} has no `arch_params` module: a supernet must expose the '
            'owner of its architecture parameters as `model.arch_params`')
    return arch_params


@MODELS.register_module()
class BilevelSearchAlgorithm(BaseModel):
    """DARTS search of a supernet by alternating architecture and weight steps.

    Args:
        supernet (dict | BaseModel): The supernet (config or module). Its searchable parts are
            bound to one owner, ``supernet.arch_params`` (see
            :func:`mmmtnas.models.nas.bind_architecture`); a model without searchable parts
            must expose that owner itself. Every other parameter is a weight. Its
            ``data_preprocessor`` is used for both batches.
        unroll (bool): Use the unrolled second-order architecture gradient instead of the first
            order one. Defaults to False.
        xi (float, optional): Step size of the virtual weight step. None uses the current
            learning rate of the weight optimiser (first parameter group), as DARTS does.
            Defaults to None.
        init_cfg (dict, optional): Initialisation config. Defaults to None.

    Note:
        With ``unroll=True`` the virtual forward/backward passes run outside the wrappers'
        ``optim_context`` (no autocast, no loss scaling, gradients synchronised on every
        pass); the resulting architecture gradient is then stepped through the ``arch``
        wrapper like any loss, so accumulation and clipping still apply. Logged ``arch.*``
        losses are those at the virtual weights ``w'`` in that mode.
    """

    def __init__(self,
                 supernet: Union[dict, BaseModel],
                 unroll: bool = False,
                 xi: Optional[float] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if isinstance(supernet, dict):
            supernet = MODELS.build(supernet)
        if not isinstance(supernet, BaseModel):
            raise TypeError('`supernet` must be a BaseModel or its config, '
                            f'got {type(supernet).__name__}')
        super().__init__(data_preprocessor=supernet.data_preprocessor, init_cfg=init_cfg)
        if searchable_parts(supernet):
            # Any model holding searchable parts (e.g. a stock classifier with a searchable
            # backbone) becomes a supernet with one owner, `supernet.arch_params`.
            bind_architecture(supernet)
        self.supernet = supernet
        arch_params_of(supernet)  # fail at build time, not at the first step
        if xi is not None and xi < 0:
            raise ValueError(f'`xi` must be >= 0, got {xi}')
        self.unroll = unroll
        self.xi = xi

    @property
    def arch_params(self) -> nn.Module:
        """nn.Module: The supernet's architecture-parameter owner."""
        return arch_params_of(self.supernet)

    def arch_parameters(self) -> List[nn.Parameter]:
        """Return the architecture parameters (those of ``arch_params``)."""
        return list(self.arch_params.parameters())

    def weight_parameters(self) -> List[nn.Parameter]:
        """Return the weight parameters: every parameter not owned by ``arch_params``."""
        arch_ids = {id(p) for p in self.arch_params.parameters()}
        return [p for p in self.parameters() if id(p) not in arch_ids]

    def forward(self, *args, **kwargs):
        """Run the supernet (same arguments as its ``forward``, e.g. ``inputs, data_samples,
        mode``)."""
        return self.supernet(*args, **kwargs)

    def val_step(self, data: Union[dict, tuple, list]) -> list:
        """Predict with the supernet (its own ``val_step``)."""
        return self.supernet.val_step(data)

    def test_step(self, data: Union[dict, tuple, list]) -> list:
        """Predict with the supernet (its own ``test_step``)."""
        return self.supernet.test_step(data)

    def train_step(self,
                   data: dict,
                   optim_wrapper: OptimWrapperDict,
                   loss_fn: Optional[LossFn] = None) -> Dict[str, torch.Tensor]:
        """One architecture step on ``data['val']``, then one weight step on ``data['train']``.

        Args:
            data (dict): ``dict(train=<batch>, val=<batch>)``, each a batch as the dataloader
                yields it (before the data preprocessor).
            optim_wrapper (OptimWrapperDict): With keys ``'weights'`` and ``'arch'``.
            loss_fn (callable, optional): Maps a pre-processed batch to the supernet's loss
                dict. None runs this module's forward; the DDP wrapper passes its own forward
                so that gradients are synchronised. Defaults to None.

        Returns:
            dict[str, Tensor]: Log variables: the weight-step losses as the supernet names
            them, and the architecture-step losses prefixed with ``arch.``.
        """
        if not isinstance(data, dict) or not {'train', 'val'} <= set(data):
            got = sorted(data) if isinstance(data, dict) else type(data).__name__
            raise KeyError(f'BilevelSearchAlgorithm.train_step expects data=dict(train=batch, '
                           f'val=batch), got {got}')
        weights_wrapper, arch_wrapper = self._split_wrappers(optim_wrapper)
        if loss_fn is None:
            loss_fn = self._forward_loss
        train_batch = self.data_preprocessor(data['train'], training=True)
        val_batch = self.data_preprocessor(data['val'], training=True)
        arch = self.arch_parameters()
        weights = self.weight_parameters()

        # Architecture step.
        if self.unroll:
            xi = self._xi(weights_wrapper)
            arch_grads, arch_log = self._unrolled_arch_grads(
                train_batch, val_batch, loss_fn, xi, arch, weights)
            # A surrogate whose gradient w.r.t. alpha is exactly the unrolled gradient lets the
            # wrapper own scaling, accumulation and clipping as for any loss.
            arch_loss = sum((a * g).sum() for a, g in zip(arch, arch_grads))
        else:
            with arch_wrapper.optim_context(self):
                losses = loss_fn(val_batch)
            arch_loss, arch_log = self.supernet.parse_losses(losses)
        with self._grads_reach_only(arch):
            arch_wrapper.update_params(arch_loss)

        # Weight step, with the updated alpha.
        with weights_wrapper.optim_context(self):
            losses = loss_fn(train_batch)
        weight_loss, log_vars = self.supernet.parse_losses(losses)
        with self._grads_reach_only(weights):
            weights_wrapper.update_params(weight_loss)

        log_vars.update({f'{ARCH_KEY}.{k}': v for k, v in arch_log.items()})
        return log_vars

    # ------------------------------------------------------------------ helpers

    def _forward_loss(self, batch: Union[dict, tuple, list]) -> Dict[str, torch.Tensor]:
        return self._run_forward(batch, mode='loss')  # type: ignore

    @staticmethod
    def _split_wrappers(optim_wrapper: OptimWrapperDict) -> Tuple[OptimWrapper, OptimWrapper]:
        if not isinstance(optim_wrapper, OptimWrapperDict):
            raise TypeError('BilevelSearchAlgorithm needs an OptimWrapperDict with keys '
                            f"'{WEIGHTS_KEY}' and '{ARCH_KEY}' (see "
                            f'mmmtnas.BilevelOptimWrapperConstructor), got '
                            f'{type(optim_wrapper).__name__}')
        missing = {WEIGHTS_KEY, ARCH_KEY} - set(optim_wrapper.keys())
        if missing:
            raise KeyError(f'optim_wrapper lacks key(s) {sorted(missing)}; it has '
                           f'{sorted(optim_wrapper.keys())}')
        return optim_wrapper[WEIGHTS_KEY], optim_wrapper[ARCH_KEY]

    def _xi(self, weights_wrapper: OptimWrapper) -> float:
        if self.xi is not None:
            return self.xi
        return float(weights_wrapper.optimizer.param_groups[0]['lr'])

    @contextmanager
    def _grads_reach_only(self, params: Sequence[nn.Parameter]) -> Iterator[None]:
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

    def _grads_of(self, loss: torch.Tensor,
                  groups: Sequence[Sequence[nn.Parameter]]) -> List[List[torch.Tensor]]:
        """Gradients of ``loss`` w.r.t. each parameter group, left on no parameter.

        ``backward`` (not ``autograd.grad``) is used on purpose: DDP synchronises gradients only
        through it.
        """
        for p in self.parameters():
            p.grad = None
        loss.backward()
        grads = [[p.grad.detach().clone() if p.grad is not None else torch.zeros_like(p)
                  for p in group] for group in groups]
        for p in self.parameters():
            p.grad = None
        return grads

    def _unrolled_arch_grads(
            self, train_batch, val_batch, loss_fn: LossFn, xi: float,
            arch: List[nn.Parameter], weights: List[nn.Parameter]
    ) -> Tuple[List[torch.Tensor], Dict[str, torch.Tensor]]:
        """Unrolled architecture gradient (SPEC §2); weights and buffers end as they began."""
        all_params = list(self.parameters())
        saved_grads = [p.grad for p in all_params]
        saved_weights = [w.detach().clone() for w in weights]
        saved_buffers = [b.detach().clone() for b in self.buffers()]

        def train_loss() -> torch.Tensor:
            return self.supernet.parse_losses(loss_fn(train_batch))[0]

        def set_weights(direction: Optional[List[torch.Tensor]], scale: float) -> None:
            with torch.no_grad():
                for w, w0, d in zip(weights, saved_weights,
                                    direction or [None] * len(weights)):
                    w.copy_(w0 if d is None else w0 + scale * d)

        try:
            # Virtual step w' = w - xi * grad_w L_train(w, alpha).
            (grad_w_train, ) = self._grads_of(train_loss(), [weights])
            set_weights(grad_w_train, -xi)
            val_loss, arch_log = self.supernet.parse_losses(loss_fn(val_batch))
            grad_a_val, grad_w_val = self._grads_of(val_loss, [arch, weights])

            norm = math.sqrt(sum(float((g * g).sum()) for g in grad_w_val))
            if xi == 0 or norm == 0:
                arch_grads = grad_a_val
            else:
                eps = 0.01 / norm
                set_weights(grad_w_val, eps)
                (grad_a_pos, ) = self._grads_of(train_loss(), [arch])
                set_weights(grad_w_val, -eps)
                (grad_a_neg, ) = self._grads_of(train_loss(), [arch])
                arch_grads = [
                    g - xi * (gp - gn) / (2 * eps)
                    for g, gp, gn in zip(grad_a_val, grad_a_pos, grad_a_neg)
                ]
        finally:
            set_weights(None, 0.)
            with torch.no_grad():
                for b, b0 in zip(self.buffers(), saved_buffers):
                    b.copy_(b0)
            for p, grad in zip(all_params, saved_grads):
                p.grad = grad
        return arch_grads, arch_log
