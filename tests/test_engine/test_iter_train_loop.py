"""IterTrainLoop: a run stopped mid-epoch and resumed ends with the uninterrupted run's weights,
bit for bit, with random augmentation and dropout (mmengine's IterBasedTrainLoop does not: its
resume draws the skipped batches without the dropout draws in between)."""
import uuid

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from tiny_model import StopAfterIterHook, TinyRegressor

from mmmtnas.registry import MODELS, TRANSFORMS


@MODELS.register_module(force=True)
class _DropoutRegressor(TinyRegressor):
    """A model that draws from the global RNG in every training forward."""

    def forward(self, inputs, targets=None, mode='tensor', **meta):
        inputs = torch.stack(inputs) if isinstance(inputs, (list, tuple)) else inputs
        return super().forward(torch.nn.functional.dropout(inputs, 0.2, self.training),
                               targets, mode, **meta)


@TRANSFORMS.register_module(force=True)
class _RandomJitter:
    """A random augmentation run while loading (numpy's global RNG, as mmcv transforms use)."""

    def __call__(self, results):
        noise = torch.from_numpy(np.random.randn(*results['inputs'].shape).astype('float32'))
        results['inputs'] = results['inputs'] + 0.1 * noise
        return results


def _run(work_dir, loop, hooks=(), resume=False):
    runner = Runner(
        model=dict(type='_DropoutRegressor'), work_dir=str(work_dir),
        experiment_name=f'iter-loop-{uuid.uuid4().hex}',
        train_dataloader=dict(
            batch_size=4, num_workers=0, sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(type='TinyRegressionDataset', num_samples=16,
                         pipeline=[dict(type='_RandomJitter')])),
        train_cfg=dict(type=loop, max_iters=10),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9)),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5)),
        custom_hooks=list(hooks), resume=resume, randomness=dict(seed=0),
        default_scope='mmmtnas', log_level='WARNING')
    runner.train()
    return runner.model.state_dict()


@pytest.mark.parametrize('loop, exact', [('mmmtnas.IterTrainLoop', True),
                                         ('IterBasedTrainLoop', False)])
def test_stopped_mid_epoch_and_resumed_equals_uninterrupted(tmp_path, loop, exact):
    full = _run(tmp_path / 'full', loop)
    _run(tmp_path / 'cut', loop, hooks=[StopAfterIterHook(5)])  # 4 batches per epoch: mid-epoch 2
    resumed = _run(tmp_path / 'cut', loop, resume=True)
    same = all(torch.equal(full[k], resumed[k]) for k in full)
    assert same is exact
