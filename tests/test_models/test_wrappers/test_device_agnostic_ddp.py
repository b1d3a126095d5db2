"""DeviceAgnosticDDP: a model that declares the parameters some steps leave unused trains one
task per step under DDP; an undeclared parameter that no loss reaches still fails, by name."""
import os
import os.path as osp
import socket

import pytest
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper
from torch import nn

from mmmtnas.models.wrappers import DeviceAgnosticDDP, declared_unused_parameters
from mmmtnas.registry import MODELS
from repo_paths import REPO_ROOT


class TwoHeads(BaseModel):
    """A shared trunk and one head per task; a batch trains the head of its task only."""

    def __init__(self, declare=('a', 'b'), stray=False):
        super().__init__()
        self.trunk = nn.Linear(3, 4)
        self.heads = nn.ModuleDict(dict(a=nn.Linear(4, 1), b=nn.Linear(4, 1)))
        self.stray = nn.Linear(4, 1) if stray else None  # built, never used: a bug
        self.declare = declare

    def unused_in_some_steps(self):
        return [n for n, _ in self.named_parameters() if n.split('.')[:2] in
                (['heads', t] for t in self.declare)]

    def forward(self, inputs, task='a', mode='tensor'):
        out = self.heads[task](self.trunk(inputs))
        return dict(loss=out.pow(2).mean()) if mode == 'loss' else out


@pytest.fixture
def one_rank_group():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def _steps(ddp, tasks):
    wrapper = OptimWrapper(torch.optim.SGD(ddp.module.parameters(), lr=0.1))
    for task in tasks:
        ddp.train_step(dict(inputs=torch.ones(2, 3), task=task), wrapper)


def test_declared_heads_make_one_task_steps_work(one_rank_group):
    model = TwoHeads()
    ddp = DeviceAgnosticDDP(model, device_ids=[0])  # device_ids dropped on the CPU
    assert ddp.find_unused_parameters
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    _steps(ddp, ['a', 'b', 'a'])
    for name, param in model.named_parameters():
        assert not torch.equal(param, before[name]), name  # both heads trained


def test_an_undeclared_unused_parameter_still_fails_by_name(one_rank_group):
    ddp = DeviceAgnosticDDP(TwoHeads(stray=True))
    with pytest.raises(RuntimeError, match=r"stray\.weight"):
        _steps(ddp, ['a'])
    # declaring only head b: a step on task a leaves head b unused (declared) -- fine; a step
    # on task b leaves head a unused, which was not declared
    ddp = DeviceAgnosticDDP(TwoHeads(declare=('b', )))
    _steps(ddp, ['a'])
    with pytest.raises(RuntimeError, match=r"heads\.a\.weight"):
        _steps(ddp, ['b'])


def test_models_that_declare_nothing_keep_strict_ddp(one_rank_group):
    assert not DeviceAgnosticDDP(TwoHeads(declare=())).find_unused_parameters
    # an explicit setting is passed on unchecked
    ddp = DeviceAgnosticDDP(TwoHeads(stray=True), find_unused_parameters=True)
    _steps(ddp, ['a', 'b'])


def test_declared_names_must_exist():
    model = TwoHeads()
    assert declared_unused_parameters(model) == {
        'heads.a.weight', 'heads.a.bias', 'heads.b.weight', 'heads.b.bias'}
    model.unused_in_some_steps = lambda: ['heads.c.weight']
    with pytest.raises(KeyError, match='heads.c.weight'):
        declared_unused_parameters(model)


def test_det_seg_model_declares_its_task_parts_and_neck():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'mtl_baseline', 'r18_fpn_ssd_fcn_toy.py')).model
    model = MODELS.build(cfg)
    owners = {n.split('.')[0] for n in declared_unused_parameters(model)}
    assert owners == {'neck', 'det_head', 'seg_head'}  # the backbone is always reached
    cfg.seg_head = None
    cfg.task_weights = dict(det=1.)
    assert declared_unused_parameters(MODELS.build(cfg)) == set()
