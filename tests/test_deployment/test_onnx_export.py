"""ONNX export of the derived MTNAS network and of a branched BMTAS network: ONNX Runtime
matches eager PyTorch at sizes other than the exported one (dynamic batch, height, width), and
the decoded predictions (SSD boxes after NMS, argmax masks, dense maps) are the same."""
import importlib.util
import os
import os.path as osp

import pytest
import torch
from mmengine.config import Config

# onnx / onnxruntime are test requirements (requirements/tests.txt): no skip when missing
from mmmtnas.deployment import ORTModel, output_names, parity
from mmmtnas.engine.runner.model_profile import profile_model
from mmmtnas.structures import BranchStructure, dump_branch_file
from mmmtnas.structures.genotype import Genotype, dump_genotype_file
from mmmtnas.testing.toy_dense import make_toy_pascal_mt
from repo_paths import REPO_ROOT
from test_tools.test_cli_errors import run_tool_inprocess
from test_tools.test_train_resume import CONFIG

TOOL = osp.join(REPO_ROOT, 'tools', 'deployment', 'pytorch2onnx.py')
MTNAS_TOY = osp.join(REPO_ROOT, 'configs', 'mtnas', 'ssd_fcn_toy.py')
BMTAS_TOY = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_retrain.py')
# toy cells (2 nodes): every op kind, the reduction cell with a factorized-reduce skip
_NORMAL = [('sep_conv_3x3', 0), ('skip_connect', 1), ('dil_conv_3x3', 2), ('avg_pool_3x3', 0)]
_REDUCE = [('max_pool_3x3', 0), ('sep_conv_3x3', 1), ('skip_connect', 2), ('skip_connect', 0)]
GENOTYPE = Genotype.from_darts(normal=_NORMAL, normal_concat=[2, 3], reduce=_REDUCE,
                               reduce_concat=[2, 3])
MNV2_LAYERS = ['layer1.0', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer3.2',
               'layer4.0', 'layer4.1', 'layer4.2', 'layer4.3', 'layer5.0', 'layer5.1',
               'layer5.2', 'layer6.0', 'layer6.1', 'layer6.2', 'layer7.0', 'raspp']


def _load_tool():
    spec = importlib.util.spec_from_file_location('pytorch2onnx', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _trained_looking(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Random weights and BN statistics far from the identity (eval mode uses them)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
                n = module.num_features
                module.running_mean.copy_(0.2 * torch.randn(n, generator=gen))
                module.running_var.copy_(0.5 + torch.rand(n, generator=gen))
                if module.affine:
                    module.weight.copy_(0.8 + 0.4 * torch.rand(n, generator=gen))
                    module.bias.copy_(0.1 * torch.randn(n, generator=gen))
    return model.eval()


def _assert_parity(report: dict) -> None:
    assert report['max_abs_diff'] <= 1e-4, report['outputs']
    for field, fig in report['predictions'].items():
        assert fig['same'], (field, fig)


@pytest.fixture(scope='module')
def mtnas(tmp_path_factory):
    """The toy derived MTNAS network (ssd_fcn_toy.py's test stage, every part from the genotype
    file in the pipeline's work dir) exported by the tool from its checkpoint at 64x96."""
    root = tmp_path_factory.mktemp('onnx_mtnas')
    work_dir = root / 'work'
    dump_genotype_file(str(work_dir / 's2b' / 'genotype.yaml'),
                       dict(backbone=GENOTYPE, det_neck=GENOTYPE, seg_head=GENOTYPE))
    tool = _load_tool()
    cfg = Config.fromfile(MTNAS_TOY)
    cfg.work_dir = str(work_dir)
    stage_cfg, _ = tool.model_config(cfg)
    torch.manual_seed(0)
    model = _trained_looking(tool.build_model(stage_cfg, None))
    checkpoint = str(root / 'derived.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    onnx_file = str(root / 'mtnas.onnx')
    meta = tool.main([MTNAS_TOY, checkpoint, '--out', onnx_file, '--shape', '64', '96',
                      '--cfg-options', f'work_dir={work_dir}'])
    return dict(model=model, onnx=onnx_file, meta=meta)


def test_tool_exports_the_derived_mtnas_net_of_a_pipeline(mtnas):
    meta = mtnas['meta']
    assert meta['model'] == 'DetSegMultiTaskModel' and meta['tasks'] == ['det', 'seg']
    assert meta['outputs'] == output_names(mtnas['model'])
    assert len(meta['outputs']) == 2 * 4 + 1  # cls + box per SSD level (4), seg logits
    assert meta['input']['mean'] == pytest.approx([123.675, 116.28, 103.53])
    assert osp.isfile(mtnas['onnx'] + '.json')


@pytest.mark.parametrize('batch,size,det_map', [(2, (72, 104), (9, 13)), (1, (40, 56), (5, 7))])
def test_derived_mtnas_graph_matches_pytorch_at_other_sizes(mtnas, batch, size, det_map):
    session = ORTModel(mtnas['onnx'])  # exported at batch 1, 64x96
    x = torch.randn(batch, 3, *size)
    outputs = session(x)
    assert outputs[0].shape[0] == batch and outputs[0].shape[2:] == det_map  # stride 8, ceil
    assert outputs[-1].shape[2:] == det_map  # seg logits at stride 8
    report = parity(mtnas['model'], session, x)
    _assert_parity(report)
    boxes = report['predictions']['pred_instances']['num_boxes']
    assert all(a > 0 for a, _ in boxes)  # NMS kept boxes: the comparison is not vacuous
    assert report['predictions']['pred_sem_seg']['pixel_agreement'] == 1.0


@pytest.fixture(scope='module')
def bmtas(tmp_path_factory):
    """A toy branched BMTAS network (toy_mnv2_retrain.py; semseg and sal share up to layer3,
    then branch) exported by the tool at 48x80 and checked on toy PASCAL-Context images (48x56,
    padded to 64x64 around the centre by the test pipeline)."""
    root = tmp_path_factory.mktemp('onnx_bmtas')
    make_toy_pascal_mt(str(root / 'data' / 'toy_dense' / 'PASCAL_MT'), 8, 0, (48, 56))
    routing = [[0, 0] if i < 6 else [0, 1] for i in range(len(MNV2_LAYERS))]
    branches = str(root / 'branches.yaml')
    dump_branch_file(branches, BranchStructure.from_routing(['semseg', 'sal'], MNV2_LAYERS,
                                                            routing))
    tool = _load_tool()
    cfg = Config.fromfile(BMTAS_TOY)
    cfg.merge_from_dict({'model.encoder.branches': branches})
    torch.manual_seed(1)
    model = _trained_looking(tool.build_model(cfg, None), seed=1)
    checkpoint = str(root / 'retrained.pth')
    torch.save(dict(state_dict=model.state_dict()), checkpoint)
    onnx_file = str(root / 'bmtas.onnx')
    cwd = os.getcwd()
    os.chdir(root)  # the toy config reads data/toy_dense
    try:
        meta = tool.main([BMTAS_TOY, checkpoint, '--out', onnx_file, '--shape', '48', '80',
                          '--check', '--cfg-options', f'model.encoder.branches={branches}'])
    finally:
        os.chdir(cwd)
    return dict(model=model, onnx=onnx_file, meta=meta)


def test_tool_check_on_toy_images_agrees_for_the_branched_bmtas_net(bmtas):
    meta = bmtas['meta']
    assert meta['model'] == 'DenseMultiTaskModel'
    assert meta['outputs'] == ['semseg_logits', 'sal_logits']
    assert list(bmtas['model'].encoder.blocks['layer4__0']) == ['semseg', 'sal']  # branched
    report = meta['check']['test']
    assert report['input_shape'] == [2, 3, 64, 64]  # not the exported 48x80
    _assert_parity(report)
    # decoded at the images' own 48x56 (the padding cropped off), every pixel the same
    assert report['predictions']['pred_semseg']['pixel_agreement'] == 1.0
    assert report['predictions']['pred_sal']['max_abs_diff'] <= 1e-4


def test_branched_bmtas_graph_matches_pytorch_at_another_batch_and_size(bmtas):
    session = ORTModel(bmtas['onnx'])
    x = torch.randn(3, 3, 40, 72)
    report = parity(bmtas['model'], session, x)
    _assert_parity(report)
    assert session(x)[0].shape == (3, 21, 10, 18)  # stride 4, PASCAL-Context's 21 classes
    assert report['predictions']['pred_semseg']['pixel_agreement'] == 1.0


def test_profile_adds_onnxruntime_latency_of_an_exportable_net(bmtas, monkeypatch):
    # what the test stage of a pipeline measures with MMMTNAS_PROFILE_ORT=1 in its environment
    monkeypatch.setenv('MMMTNAS_PROFILE_ORT', '1')
    figures = profile_model(bmtas['model'], (32, 32), repeats=1, warmup=0)
    assert figures['latency_ort_ms'] > 0 and figures['latency_ms'] > 0
    plain = profile_model(torch.nn.Conv2d(3, 4, 3), (16, 16), repeats=1, warmup=0,
                          onnxruntime=True)
    assert 'latency_ort_ms' not in plain  # not a multi-task network: nothing to export


def test_check_fails_on_a_raw_difference_or_on_predictions_that_differ():
    tool = _load_tool()
    report = dict(max_abs_diff=2e-6, outputs=dict(seg_logits=2e-6, det_cls_score_0=1e-6),
                  predictions=dict(pred_instances=dict(same=True), pred_sem_seg=dict(same=True)))
    assert tool.check_failures(dict(det=report), atol=1e-4) == []
    assert tool.check_failures(dict(det=report), atol=1e-6) == [
        '[det] seg_logits differs by 2e-06 > --atol 1e-06']
    report['predictions']['pred_sem_seg']['same'] = False
    assert tool.check_failures(dict(seg=report), atol=1e-4) == ['[seg] pred_sem_seg differ']


def test_bad_input_is_one_line(monkeypatch, capsys, tmp_path):
    tool = osp.join('deployment', 'pytorch2onnx.py')
    # a pipeline whose search has not run: the missing genotype file is named, with the remedy
    line = run_tool_inprocess(monkeypatch, capsys, tool, MTNAS_TOY, '--random-weights',
                              '--cfg-options', f'work_dir={tmp_path}')
    assert osp.join(str(tmp_path), 's2b', 'genotype.yaml') in line and 'work_dir' in line
    # a model config without a checkpoint
    line = run_tool_inprocess(monkeypatch, capsys, tool, BMTAS_TOY)
    assert 'CHECKPOINT' in line and '--random-weights' in line
    # not a multi-task network (e.g. a search): nothing to deploy
    line = run_tool_inprocess(monkeypatch, capsys, tool, CONFIG, '--random-weights', '--shape',
                              '8', '8', '--out', str(tmp_path / 'x.onnx'))
    assert 'cannot export a TinyRegressor' in line and 'derived network' in line
    line = run_tool_inprocess(monkeypatch, capsys, tool, BMTAS_TOY, '--shape', '0', '64')
    assert '--shape' in line and '[0, 64]' in line
