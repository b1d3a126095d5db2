"""DARTS bi-level optimisation of a supernet: weights on one split, architecture on the other.

One training step (SPEC §2) is an architecture step on a batch of the architecture split
followed by a weight step on a batch of the weight split (``data=dict(arch=..., weights=...)``,
see :class:`~mmmtnas.models.search.SearchAlgorithm`), each optimiser stepping on its own loss's
gradient only:

* first order: ``grad_alpha = d L_val(w, alpha) / d alpha``;
* unrolled second order: ``w' = w - xi * grad_w L_train(w, alpha)`` and
  ``grad_alpha = grad_alpha L_val(w', alpha) - xi * H`` where ``H`` is the finite-difference
  Hessian-vector product ``(grad_alpha L_train(w+, alpha) - grad_alpha L_train(w-, alpha)) /
  (2 eps)``, ``w+- = w +- eps * grad_w' L_val(w', alpha)``, ``eps = 0.01 / ||grad_w' L_val||``.
  The virtual step is undone exactly (weights and buffers) before the real weight step.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper

from mmmtnas.models.nas.derive_genotypes import derive_genotypes
from mmmtnas.models.nas.random_sampling import sample_genotypes, set_architecture
from mmmtnas.models.nas.searchable_part import bind_architecture, searchable_parts
from mmmtnas.models.search import (ARCH_KEY, WEIGHTS_KEY, ChoiceWeights, SearchAlgorithm,
                                   arch_params_of, softmax_tables)
from mmmtnas.models.search.search_algorithm import Batches, LossFn
from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import Genotype
from mmmtnas.structures.genotype_set import GenotypeSet


@MODELS.register_module()
class BilevelSearchAlgorithm(SearchAlgorithm):
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

    def export_architecture(self, meta: Optional[dict] = None) -> GenotypeSet:
        """The genotypes every searchable part derives now, with the alphas.

        Args:
            meta (dict, optional): ``dict(iteration=...)`` sets the file's ``step``.
        """
        return GenotypeSet.from_alphas(derive_genotypes(self.supernet),
                                       self.arch_params.values_dict(),
                                       step=(meta or {}).get('iteration'))

    @torch.no_grad()
    def architecture_weights(self) -> Dict[str, ChoiceWeights]:
        """Every searchable part's tables (op weights per edge, PC-DARTS edge weights per
        node), by parameter name; a parameter no part describes (a supernet without DARTS
        parts) is read as logits over its last dimension."""
        out, described = {}, set()
        for _, part in searchable_parts(self.supernet):
            out.update(part.architecture_weights())  # a shared parameter: the same table
            described.update(part.arch_names().values())
        rest = [name for name, _ in self.arch_params.items() if name not in described]
        out.update(softmax_tables(self.arch_params, rest))
        return out

    def sample_architecture(self, rng) -> Dict[str, Genotype]:
        """A uniformly drawn genotype of every searchable part (random search)."""
        return sample_genotypes(self.supernet, rng)

    def set_architecture(self, architecture: Dict[str, Genotype]) -> None:
        """Alphas under which the supernet computes, and derives, ``architecture``."""
        set_architecture(self.supernet, architecture)

    # ------------------------------------------------------------------ architecture step
    def arch_step(self, batches: Batches, wrappers: Dict[str, OptimWrapper],
                  loss_fn: LossFn) -> Dict[str, torch.Tensor]:
        """First order: the base class's update on the architecture batch. Unrolled: the
        second-order gradient, stepped through the ``arch`` wrapper as a surrogate loss."""
        if not self.unroll:
            return super().arch_step(batches, wrappers, loss_fn)
        if WEIGHTS_KEY not in batches:
            raise KeyError(f"the unrolled architecture step needs the '{WEIGHTS_KEY}' batch of "
                           f'the same iteration; got {sorted(batches)}')
        arch, weights = self.arch_parameters(), self.weight_parameters()
        arch_grads, arch_log = self._unrolled_arch_grads(
            batches[WEIGHTS_KEY], batches[ARCH_KEY], loss_fn, self._xi(wrappers[WEIGHTS_KEY]),
            arch, weights)
        # A surrogate whose gradient w.r.t. alpha is exactly the unrolled gradient lets the
        # wrapper own scaling, accumulation and clipping as for any loss.
        surrogate = sum((a * g).sum() for a, g in zip(arch, arch_grads))
        return self.update(ARCH_KEY, None, wrappers, loss_fn, loss=surrogate, log_vars=arch_log)

    def _xi(self, weights_wrapper: OptimWrapper) -> float:
        if self.xi is not None:
            return self.xi
        return float(weights_wrapper.optimizer.param_groups[0]['lr'])

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
            return self.parse_losses(loss_fn(train_batch))[0]

        def set_weights(direction: Optional[List[torch.Tensor]], scale: float) -> None:
            with torch.no_grad():
                for w, w0, d in zip(weights, saved_weights,
                                    direction or [None] * len(weights)):
                    w.copy_(w0 if d is None else w0 + scale * d)

        try:
            # Virtual step w' = w - xi * grad_w L_train(w, alpha).
            (grad_w_train, ) = self._grads_of(train_loss(), [weights])
            set_weights(grad_w_train, -xi)
            val_loss, arch_log = self.parse_losses(loss_fn(val_batch))
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
