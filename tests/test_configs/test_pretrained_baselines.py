"""The MTL and single-task baselines start from ImageNet weights (MTNAS Table 1 †): the
published torchvision ResNet-18 through mmengine's 'Pretrained' init; the toy configs do not."""
import copy
import functools
import glob
import os.path as osp

import pytest
import torch
import torchvision
from mmengine.config import Config

from mmmtnas.registry import MODELS, register_all_modules
from repo_paths import REPO_ROOT

BASELINES = osp.join(REPO_ROOT, 'configs', 'mtl_baseline')
TORCHVISION_R18 = dict(type='Pretrained', checkpoint='torchvision://resnet18')


@functools.lru_cache(maxsize=None)
def _config(path):
    return Config.fromfile(path)  # parsed once per module (the load test copies it)


def _baselines(suffix):
    found = sorted(glob.glob(osp.join(BASELINES, f'*_{suffix}.py')))
    assert found, f'no *_{suffix}.py in {BASELINES}'
    return found


@pytest.mark.parametrize('path', _baselines('mixed') + _baselines('single'),
                         ids=osp.basename)
def test_paper_scale_baselines_load_the_torchvision_resnet18(path):
    backbone = _config(path).model.backbone
    assert backbone.type == 'mmdet.ResNet' and backbone.depth == 18
    assert backbone.init_cfg == TORCHVISION_R18


@pytest.mark.parametrize('path', _baselines('toy'), ids=osp.basename)
def test_toy_baselines_train_from_scratch(path):
    # width-reduced (base 16 channels): no published weights fit, and nothing is downloaded
    assert _config(path).model.backbone.init_cfg is None


def test_torchvision_name_resolves_to_the_published_imagenet_checkpoint():
    # what mmengine downloads for 'torchvision://resnet18' (into the torch hub cache)
    from mmengine.runner.checkpoint import get_torchvision_models
    url = get_torchvision_models()['resnet18']
    assert url == 'https://download.pytorch.org/models/resnet18-f37072fd.pth'


def test_init_weights_loads_every_backbone_tensor_of_a_torchvision_state_dict(tmp_path):
    """A torchvision ResNet-18 state dict (random values everywhere, BN statistics included,
    so mmdet's own initialisation cannot match by chance) loads into every tensor of the
    baseline's backbone: a key that did not match would keep its fresh value and fail."""
    torch.manual_seed(0)
    state = torchvision.models.resnet18().state_dict()
    for key, value in state.items():
        state[key] = (torch.randint_like(value, 1, 100) if not value.is_floating_point() else
                      torch.rand_like(value) + 0.5 if 'running_var' in key else
                      torch.randn_like(value))
    ckpt = tmp_path / 'resnet18_torchvision.pth'
    torch.save(state, ckpt)

    cfg = copy.deepcopy(_config(osp.join(BASELINES, 'r18_fpn_ssd_fcn_mixed.py')))
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    register_all_modules()
    model = MODELS.build(cfg.model)
    model.init_weights()

    loaded = model.backbone.state_dict()
    assert set(loaded) == set(state) - {'fc.weight', 'fc.bias'}  # the classifier is removed
    for key, value in loaded.items():
        assert torch.equal(value, state[key]), key
