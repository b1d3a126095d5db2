"""Train loop of a BMTAS search: warm-up, then alternating architecture and weight phases.

Schedule (Bruggemann et al., BMVC 2020, App. A): ``warmup_iters`` iterations in which each task
trains only its own copy of every layer (on the whole training set); then cycles of one
architecture phase on ``arch_fraction`` of the training set (default 20%) and one weight phase
on the rest, until the architecture parameters have received ``max_arch_iters`` updates
(rounded up to whole cycles). At the start of each architecture phase the ``arch`` optimiser's
state is reset; after it, the ``weights`` optimiser's state and the supernet's batch-norm
running statistics are reset, because the architecture they were estimated for has changed.
During architecture phases batch norm normalises with batch statistics (train mode).

The phase of every iteration is a function of the iteration index, so a resumed search
continues in the right phase with each dataloader at the batch an uninterrupted run would draw.
"""
import copy
import logging
from collections import defaultdict
from typing import Dict, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DataLoader

from mmmtnas.datasets.dataset_split import DatasetSplit
from mmmtnas.registry import LOOPS
from .epoch_iterator import EpochIterator
from .resumable_iter_loop import ResumableIterLoop


@LOOPS.register_module()
class BMTASSearchLoop(ResumableIterLoop):
    """Warm-up and alternating architecture / weight phases of a BMTAS search.

    The model must be a :class:`mmmtnas.BMTASSearch` (``set_phase``, ``supernet``) and the
    runner's optim wrapper an ``OptimWrapperDict`` with ``weights`` and ``arch``.

    Config::

        train_dataloader = dict(...)  # the whole training split
        train_cfg = dict(type='mmmtnas.BMTASSearchLoop', warmup_iters=2000,
                         max_arch_iters=40000, arch_fraction=0.2)

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader | dict): The whole training split; split here into the
            architecture part and the weight part (:class:`mmmtnas.DatasetSplit`).
        warmup_iters (int): Warm-up iterations. Defaults to 2000.
        max_arch_iters (int): Architecture updates to reach. Defaults to 40000.
        arch_fraction (float): Share of the training split used for architecture updates.
            Defaults to 0.2.
        split_seed (int): Seed of the split. Defaults to 0.
        arch_phase_iters (int, optional): Iterations per architecture phase. Defaults to one
            pass over the architecture part.
        weight_phase_iters (int, optional): Iterations per weight phase. Defaults to one pass
            over the weight part.
        val_begin (int): Iteration at which validation starts. Defaults to 1.
        val_interval (int): Validation interval (the runner's val loop, if any). Defaults to
            1000.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 warmup_iters: int = 2000,
                 max_arch_iters: int = 40000,
                 arch_fraction: float = 0.2,
                 split_seed: int = 0,
                 arch_phase_iters: Optional[int] = None,
                 weight_phase_iters: Optional[int] = None,
                 val_begin: int = 1,
                 val_interval: int = 1000) -> None:
        if not 0. < arch_fraction < 1.:
            raise ValueError(f'arch_fraction must lie in (0, 1), got {arch_fraction}')
        if warmup_iters < 0 or max_arch_iters < 1:
            raise ValueError(f'need warmup_iters >= 0 and max_arch_iters >= 1, got '
                             f'{warmup_iters} and {max_arch_iters}')
        if isinstance(dataloader, dict):
            cfg = copy.deepcopy(dataloader)
            full = runner.build_dataloader(cfg, seed=runner.seed)
            loader_cfg = copy.deepcopy(dataloader)
        else:
            full, loader_cfg = dataloader, None
        self.arch_loader = self._split_loader(runner, full, loader_cfg, 'val', arch_fraction,
                                              split_seed)
        self.weight_loader = self._split_loader(runner, full, loader_cfg, 'search',
                                                arch_fraction, split_seed)
        self.warmup_iters = int(warmup_iters)
        self.arch_phase_iters = int(arch_phase_iters or len(self.arch_loader))
        self.weight_phase_iters = int(weight_phase_iters or len(self.weight_loader))
        if self.arch_phase_iters < 1 or self.weight_phase_iters < 1:
            raise ValueError('BMTASSearchLoop: a phase has no iteration (split part smaller '
                             'than the batch size with drop_last=True?)')
        self.num_cycles = -(-int(max_arch_iters) // self.arch_phase_iters)
        max_iters = self.warmup_iters + self.num_cycles * self.cycle_iters
        super().__init__(runner, full, max_iters, val_begin=val_begin,
                         val_interval=val_interval)
        self._iterators = dict(warmup=EpochIterator(self.dataloader),
                               arch=EpochIterator(self.arch_loader),
                               weights=EpochIterator(self.weight_loader))
        self._phase: Optional[str] = None  # the phase the algorithm is in

    @staticmethod
    def _split_loader(runner, full: DataLoader, cfg: Optional[dict], split: str,
                      arch_fraction: float, seed: int) -> DataLoader:
        # DatasetSplit's 'search' part holds `fraction` of the samples: here the weight part.
        part = DatasetSplit(full.dataset, split=split, fraction=1. - arch_fraction, seed=seed)
        if cfg is None:
            return DataLoader(part, batch_size=full.batch_size, shuffle=True,
                              num_workers=full.num_workers, collate_fn=full.collate_fn,
                              drop_last=full.drop_last)
        cfg = copy.deepcopy(cfg)
        cfg['dataset'] = part
        return runner.build_dataloader(cfg, seed=runner.seed)

    # ------------------------------------------------------------------ schedule
    @property
    def cycle_iters(self) -> int:
        """Iterations of one architecture phase plus one weight phase."""
        return self.arch_phase_iters + self.weight_phase_iters

    @property
    def search_begin_iter(self) -> int:
        """First iteration after the warm-up (where the temperature ramp starts)."""
        return self.warmup_iters

    def phase_at(self, iteration: int) -> Tuple[str, int]:
        """Return the phase of an iteration and its index within that phase."""
        if iteration < self.warmup_iters:
            return 'warmup', iteration
        offset = (iteration - self.warmup_iters) % self.cycle_iters
        if offset < self.arch_phase_iters:
            return 'arch', offset
        return 'weights', offset - self.arch_phase_iters

    def batches_drawn(self, iteration: int) -> Dict[str, int]:
        """How many batches each dataloader has given before ``iteration``."""
        warm = min(iteration, self.warmup_iters)
        cycles, offset = divmod(max(iteration - self.warmup_iters, 0), self.cycle_iters)
        arch = cycles * self.arch_phase_iters + min(offset, self.arch_phase_iters)
        weights = cycles * self.weight_phase_iters + max(offset - self.arch_phase_iters, 0)
        return dict(warmup=warm, arch=arch, weights=weights)

    # ------------------------------------------------------------------ phases
    @property
    def _algorithm(self):
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def _enter_phase(self, phase: str, fresh: bool) -> None:
        """Switch the algorithm to ``phase``; on a fresh entry reset what the paper resets."""
        algorithm = self._algorithm
        algorithm.set_phase(phase)
        if not fresh:
            return
        optim_wrapper = self.runner.optim_wrapper
        if phase == 'arch':
            optim_wrapper['arch'].optimizer.state = defaultdict(dict)
        elif phase == 'weights':
            optim_wrapper['weights'].optimizer.state = defaultdict(dict)
            for m in algorithm.supernet.modules():
                if isinstance(m, _BatchNorm):
                    m.reset_running_stats()
        print_log(f'BMTAS search: {phase} phase from iteration {self._iter}',
                  logger='current', level=logging.DEBUG)

    # ------------------------------------------------------------------ run
    def _position_dataloaders(self) -> None:
        for name, count in self.batches_drawn(self._iter).items():
            self._iterators[name].skip(count)
        self._phase = None  # (re-)enter the first phase of this run

    def _next_batch(self):
        """Switch phase where the schedule says so; return a batch of the phase's data."""
        phase, index = self.phase_at(self._iter)
        if phase != self._phase:
            # Resuming mid-phase restores optimiser and BN state from the checkpoint.
            self._enter_phase(phase, fresh=index == 0)
            self._phase = phase
        return next(self._iterators[phase])
