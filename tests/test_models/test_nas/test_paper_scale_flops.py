"""The MTNAS search space at the paper's scale: the derived network of a typical genotype costs
the paper's FLOPs at 320x512, and 320x512 stays 320x512 (no padding; odd maps welcome)."""
import copy
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.analysis import FlopAnalyzer
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData
from mmseg.structures import SegDataSample

from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.models.nas import SearchableDartsBackbone
from mmmtnas.models.nas.darts_genotypes import DARTS_V2
from mmmtnas.registry import MODELS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', '..', 'configs', 'mtnas')
# The paper's searched networks, FLOPs = 2 x multiply-adds (Table 1: mixed set; Table 3: single)
PAPER_GFLOPS = {'ssd_fcn_mixed.py': 9.0, 'ssd_fcn_single.py': 12.6}


def _pipeline(name):
    cfg = Config.fromfile(osp.abspath(osp.join(CONFIGS, name)))
    cfg.work_dir = '/nonexistent'  # only configs are read
    return StagedPipeline.from_cfg(cfg)


def _typical(model_cfg):
    """The model config with the published DARTS-V2 cells in every derived part."""
    model_cfg = copy.deepcopy(model_cfg)
    parts = [k for k, v in model_cfg.items() if isinstance(v, dict) and 'genotype' in v]
    assert sorted(parts) == ['backbone', 'det_neck', 'seg_head']
    for part in parts:
        model_cfg[part]['genotype'] = DARTS_V2
    return model_cfg


@pytest.mark.parametrize('name', sorted(PAPER_GFLOPS))
def test_typical_derived_network_costs_the_papers_flops_at_320x512(name):
    pipeline = _pipeline(name)
    assert pipeline.spec('test')['input_size'] == (320, 512)
    model = MODELS.build(_typical(pipeline.stage_config('test').model)).eval()
    levels = []  # the maps SSD's anchors are laid on: one classifier conv per level
    for conv in model.det_head.cls_convs:
        conv.register_forward_hook(lambda _, args, out: levels.append(tuple(out.shape[-2:])))
    analyzer = FlopAnalyzer(model, (torch.zeros(1, 3, 320, 512), ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    gflops = 2 * analyzer.total() / 1e9  # the paper counts a multiply-add as 2 FLOPs
    assert gflops == pytest.approx(PAPER_GFLOPS[name], rel=0.15)
    # unpadded, SSD's last level (stride 128) is 3x4: ceil(320 / 128) x 512 / 128
    assert levels == [(40, 64), (20, 32), (10, 16), (5, 8), (3, 4)]


def test_preprocessor_of_every_stage_keeps_320x512():
    pipeline = _pipeline('ssd_fcn_mixed.py')
    for stage in ('s1_det', 's1_seg', 's2b', 'finetune', 'test'):
        model = pipeline.stage_config(stage).model
        pre = model.get('supernet', model).data_preprocessor
        assert pre.get('pad_size_divisor', 1) == 1, stage
    preprocessor = MODELS.build(pre)
    image = torch.randint(0, 256, (3, 320, 512), dtype=torch.uint8)
    meta = dict(img_shape=(320, 512), ori_shape=(320, 512), scale_factor=(1., 1.))
    det = DetDataSample(metainfo=meta)
    det.gt_instances = InstanceData(bboxes=torch.tensor([[10., 10., 100., 80.]]),
                                    labels=torch.tensor([1]))
    seg = SegDataSample(metainfo=meta)
    seg.gt_sem_seg = PixelData(data=torch.zeros(1, 320, 512, dtype=torch.long))
    for sample in (det, seg):
        for training in (True, False):
            out = preprocessor(dict(inputs=[image], data_samples=[copy.deepcopy(sample)]),
                               training)
            assert tuple(out['inputs'].shape) == (1, 3, 320, 512)
            result = out['data_samples'][0]
            shape = (result.batch_input_shape if sample is det else
                     result.gt_sem_seg.data.shape[-2:])  # mmseg pads the label with the image
            assert tuple(shape) == (320, 512)


def test_odd_feature_maps_train_through_ssd_and_the_seg_head():
    """200x328 gives 25x41, 13x21, 7x11, 4x6, 2x3 maps (strides 8..128): odd at every level
    but the 4x6 one, fed unpadded through the derived network, SSD's anchors and mmseg's loss."""
    torch.manual_seed(0)
    space = Config.fromfile(osp.join(CONFIGS, '_base_', 'search_space.py'))
    levels, extras = [32, 64, 128], [64, 64]
    part = dict(genotype=DARTS_V2)
    model = MODELS.build(dict(
        space.derived_model,
        backbone=dict(space.derived_model.backbone, **part, channels=8, num_cells=3,
                      reduction_cells=(1, 2), out_indices=(0, 1, 2)),
        det_neck=dict(space.derived_model.det_neck, **part, in_channels=levels,
                      out_channels=levels + extras),
        det_head=dict(space.det_head, in_channels=tuple(levels + extras)),
        seg_head=dict(space.derived_model.seg_head, **part, in_channels=levels, channels=32)))
    h, w = 200, 328
    meta = dict(img_shape=(h, w), ori_shape=(h, w), scale_factor=(1., 1.))
    det = DetDataSample(metainfo=meta)
    det.gt_instances = InstanceData(bboxes=torch.tensor([[10., 20., 150., 120.]]),
                                    labels=torch.tensor([2]))
    seg = SegDataSample(metainfo=meta)
    seg.gt_sem_seg = PixelData(data=torch.randint(0, 16, (1, h, w)))
    image = torch.randint(0, 256, (3, h, w), dtype=torch.uint8)
    for sample, loss_key in ((det, 'det.loss_cls'), (seg, 'seg.loss_ce')):
        data = model.data_preprocessor(dict(inputs=[image], data_samples=[sample]), True)
        assert tuple(data['inputs'].shape[-2:]) == (h, w)
        losses = model.loss(data['inputs'], data['data_samples'])
        loss, _ = model.parse_losses(losses)
        assert loss_key in losses and torch.isfinite(loss) and loss > 0
    feats = model.det_neck(model.extract_feat(data['inputs']))
    assert [tuple(f.shape[-2:]) for f in feats] == [(25, 41), (13, 21), (7, 11), (4, 6), (2, 3)]
    # the PC-DARTS supernet (partial channels, max-pooled bypass) takes the same odd maps
    supernet = SearchableDartsBackbone(channels=8, num_cells=3, reduction_cells=(1, 2),
                                       stem_type='imagenet', partial_k=4, out_indices=(0, 1, 2))
    outs = supernet(torch.randn(1, 3, h, w))
    assert [tuple(o.shape[-2:]) for o in outs] == [(25, 41), (13, 21), (7, 11)]
