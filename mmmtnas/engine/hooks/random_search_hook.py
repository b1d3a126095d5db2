"""Random search with weight sharing (Li & Talwalkar 2019) inside a DARTS search stage."""
import json
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmmtnas.registry import HOOKS
from mmmtnas.structures.file_io import write_text_atomically
from mmmtnas.utils import eval_mode, unwrap_model

SCORES_FILE = 'random_search.json'


@HOOKS.register_module()
class RandomSearchHook(Hook):
    """Random search over the search space, sharing the supernet's weights.

    The search algorithm draws and fixes architectures (its ``sample_architecture`` /
    ``set_architecture``; DARTS spaces: :mod:`mmmtnas.models.nas.random_sampling`).

    * Training: before every iteration the supernet is set to a uniformly drawn architecture
      (seeded by ``seed`` and the iteration, so a resumed run draws the same ones): the weight
      step trains the shared weights along that path only. The stage's architecture optimiser
      must not move the alphas (lr 0).
    * After training: ``num_samples`` architectures (seeded by ``seed``) are each scored by
      the supernet's loss in eval mode, with the shared weights, on the same first
      ``eval_batches`` batches of every validation source (summed over sources: e.g.
      detection + segmentation); the lowest is kept: the supernet is set to it, so the stage's
      :class:`ArchitectureExportHook` (priority LOW, after this hook) writes its genotype.
      ``<work_dir>/random_search.json`` lists every candidate's score and the winner.

    Args:
        num_samples (int): Architectures compared after training. Defaults to 100.
        eval_batches (int): Batches of every validation source per architecture. Defaults
            to 10.
        seed (int): Seed of the draws. Defaults to 0.
        val_sources (Sequence[str], optional): Data sources of the search loop to score on.
            None takes those named ``'val'`` or ``'<task>.val'``.
    """

    priority = 'NORMAL'

    def __init__(self,
                 num_samples: int = 100,
                 eval_batches: int = 10,
                 seed: int = 0,
                 val_sources: Optional[Sequence[str]] = None) -> None:
        if num_samples < 1 or eval_batches < 1:
            raise ValueError(f'RandomSearchHook: num_samples and eval_batches must be >= 1, '
                             f'got {num_samples}, {eval_batches}')
        self.num_samples = num_samples
        self.eval_batches = eval_batches
        self.seed = seed
        self.val_sources = list(val_sources) if val_sources is not None else None

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        model = unwrap_model(runner.model)
        model.set_architecture(
            model.sample_architecture(np.random.default_rng([self.seed, 1, runner.iter])))

    def _val_loaders(self, runner) -> dict:
        iterators = getattr(runner.train_loop, 'iterators', None)
        if not isinstance(iterators, dict):
            raise TypeError('RandomSearchHook needs the mmmtnas.SearchLoop (its data sources)')
        names = self.val_sources or [n for n in iterators if n == 'val' or n.endswith('.val')]
        missing = [n for n in names if n not in iterators]
        if missing or not names:
            raise KeyError(f'RandomSearchHook: validation sources {missing or names} not among '
                           f'the search loop sources {sorted(iterators)}')
        return {n: iterators[n].dataloader for n in names}

    @torch.no_grad()
    def score(self, model, batches: List) -> float:
        """The summed mean loss of ``model`` (as it is set now) over ``batches``."""
        total = 0.
        for batch in batches:
            losses = model._forward_loss(model.data_preprocessor(batch, False))
            total += float(model.parse_losses(losses)[0])
        return total / len(batches)

    def after_train(self, runner) -> None:
        model = unwrap_model(runner.model)
        batches = []
        with torch.random.fork_rng(devices=[]):  # leave the training RNG streams alone
            for name, loader in self._val_loaders(runner).items():
                for i, batch in enumerate(loader):
                    if i == self.eval_batches:
                        break
                    batches.append(batch)
        rng = np.random.default_rng([self.seed, 2])
        candidates = [model.sample_architecture(rng) for _ in range(self.num_samples)]
        scores = []
        with eval_mode(model):  # running batch-norm statistics, as [54] evaluates
            for architecture in candidates:
                model.set_architecture(architecture)
                scores.append(self.score(model, batches))
        best = best_index(scores)
        model.set_architecture(candidates[best])
        print_log(f'RandomSearchHook: kept architecture {best} of {len(scores)} (validation '
                  f'loss {scores[best]:.4f}; range {min(scores):.4f}..{max(scores):.4f})',
                  logger='current')
        if is_main_process():
            report = dict(best=best, scores=[s if np.isfinite(s) else None for s in scores],
                          eval_batches=self.eval_batches, seed=self.seed,
                          best_genotypes={k: g.to_dict() for k, g in candidates[best].items()})
            write_text_atomically(osp.join(runner.work_dir, SCORES_FILE),
                                  json.dumps(report, indent=1), prefix='.random-search-')


def best_index(scores: Sequence[float]) -> int:
    """Index of the lowest score (a validation loss); the first one on ties.

    Args:
        scores (Sequence[float]): One score per candidate; NaN never wins.

    Returns:
        int: The index.
    """
    finite = [(s, i) for i, s in enumerate(scores) if np.isfinite(s)]
    if not finite:
        raise ValueError(f'no candidate has a finite score: {list(scores)}')
    return min(finite)[1]
