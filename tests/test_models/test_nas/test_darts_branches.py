"""The DARTS-cell segmentation branch (mmseg decode head) and detection branch (SSD extra
layers feeding mmdet's SSDHead), searchable and derived."""
import torch
from mmdet.models.dense_heads import SSDHead
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData, PixelData
from mmseg.models.segmentors import EncoderDecoder
from mmseg.structures import SegDataSample

from mmmtnas.models.nas import (DartsSegHead, DartsSSDNeck, SearchableDartsBackbone,
                                SearchableDartsSegHead, SearchableDartsSSDNeck,
                                bind_architecture, derive_genotypes, inherit_supernet_weights)
from mmmtnas.models.nas.cells import edge_offsets
from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import dump_genotype_file

OPS = ('none', 'max_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'dil_conv_3x3')


def _seg_samples(n, size, num_classes=3):
    samples = []
    for i in range(n):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=torch.randint(0, num_classes, (1, size, size)))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size),
                            pad_shape=(size, size)))
        samples.append(s)
    return samples


def _search_segmentor():
    backbone = dict(type='mmmtnas.SearchableDartsBackbone', op_names=OPS, channels=4,
                    num_cells=3, num_nodes=2, multiplier=2, out_indices=(0, 1, 2))
    head = dict(type='mmmtnas.SearchableDartsSegHead', op_names=OPS, num_nodes=2,
                multiplier=2, in_channels=[8, 16, 32], in_index=[0, 1, 2], channels=8,
                num_classes=3, arch_prefix='seg_branch',
                loss_decode=dict(type='mmseg.CrossEntropyLoss', loss_weight=1.0))
    model = EncoderDecoder(backbone=backbone, decode_head=head)
    bind_architecture(model)
    return model


def test_searchable_seg_head_trains_through_mmseg_loss_and_reaches_its_alphas():
    torch.manual_seed(0)
    model = _search_segmentor()
    assert model.arch_params.names() == ['backbone.normal', 'backbone.reduce',
                                         'seg_branch.normal']
    assert len(model.decode_head.cells) == 3  # one cell per level
    losses = model.loss(torch.randn(2, 3, 16, 16), _seg_samples(2, 16))
    assert set(losses) == {'decode.loss_ce', 'decode.acc_seg'}
    losses['decode.loss_ce'].backward()
    for name, p in model.arch_params:
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_derived_segmentor_from_the_searched_genotype_file(tmp_path):
    model = _search_segmentor()
    genotypes = derive_genotypes(model)
    assert sorted(genotypes) == ['backbone', 'seg_branch']
    path = dump_genotype_file(str(tmp_path / 'g.yaml'), genotypes)
    derived = EncoderDecoder(
        backbone=dict(type='mmmtnas.DartsBackbone', genotype=path, channels=4, num_cells=3,
                      out_indices=(0, 1, 2)),
        decode_head=dict(type='mmmtnas.DartsSegHead', genotype=path, part='seg_branch',
                         in_channels=[8, 16, 32], in_index=[0, 1, 2], channels=8,
                         num_classes=3),
        test_cfg=ConfigDict(mode='whole'))
    assert not hasattr(derived, 'arch_params')
    preds = derived.predict(torch.randn(1, 3, 16, 16), _seg_samples(1, 16))
    assert preds[0].pred_sem_seg.data.shape == (1, 16, 16)


def test_derived_seg_head_reproduces_the_searchable_one_with_one_hot_alphas():
    torch.manual_seed(0)
    kw = dict(in_channels=[8, 16], in_index=[0, 1], channels=8, num_classes=3)
    head = SearchableDartsSegHead(op_names=OPS, num_nodes=2, multiplier=2, **kw)
    genotype = head.derive_genotype()
    with torch.no_grad():
        alpha = head.arch_param('normal')
        alpha.fill_(-1e4)
        alpha[:, 0] = 0.  # dropped edges: none
        for node, offset in zip(genotype['normal'].nodes, edge_offsets(2)):
            for op, idx in node:
                alpha[offset + idx].fill_(-1e4)
                alpha[offset + idx, OPS.index(op)] = 0.
    derived = DartsSegHead(genotype=genotype, affine=False, pool_bn=True, **kw)
    assert inherit_supernet_weights(derived, head) == []
    head.eval(), derived.eval()
    feats = [torch.randn(2, 8, 8, 8), torch.randn(2, 16, 4, 4)]
    with torch.no_grad():
        assert torch.allclose(head(feats), derived(feats), atol=1e-5)


def _det_samples(n, size):
    samples = []
    for _ in range(n):
        s = DetDataSample()
        s.gt_instances = InstanceData(bboxes=torch.tensor([[2., 3., 20., 30.]]),
                                      labels=torch.tensor([1]))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size),
                            pad_shape=(size, size), scale_factor=(1., 1.)))
        samples.append(s)
    return samples


def test_searchable_ssd_neck_adds_coarser_levels_that_mmdet_ssd_head_trains_on():
    torch.manual_seed(0)
    neck = SearchableDartsSSDNeck(op_names=OPS, num_nodes=2, multiplier=2, in_channels=[16, 32],
                                  out_channels=[16, 32, 16, 16], normal_cells_per_level=1)
    assert neck.arch_params.names() == ['det_neck.reduce', 'det_neck.normal']
    feats = neck([torch.randn(2, 16, 8, 8), torch.randn(2, 32, 4, 4)])
    assert [tuple(f.shape[1:]) for f in feats] == [(16, 8, 8), (32, 4, 4), (16, 2, 2),
                                                   (16, 1, 1)]
    head = SSDHead(
        in_channels=(16, 32, 16, 16), num_classes=3,
        anchor_generator=dict(type='SSDAnchorGenerator', scale_major=False, input_size=64,
                              strides=[8, 16, 32, 64], min_sizes=[8, 16, 32, 48],
                              max_sizes=[16, 32, 48, 64],
                              ratios=[[2], [2], [2], [2]]),
        bbox_coder=dict(type='DeltaXYWHBBoxCoder', target_means=[0., 0., 0., 0.],
                        target_stds=[0.1, 0.1, 0.2, 0.2]),
        train_cfg=dict(assigner=dict(type='MaxIoUAssigner', pos_iou_thr=0.5, neg_iou_thr=0.5,
                                     min_pos_iou=0., ignore_iof_thr=-1,
                                     gt_max_assign_all=False),
                       sampler=dict(type='PseudoSampler'), smoothl1_beta=1.,
                       allowed_border=-1, pos_weight=-1, neg_pos_ratio=3, debug=False))
    losses = head.loss(feats, _det_samples(2, 64))
    total = sum(sum(v) for v in losses.values())
    total.backward()
    assert torch.isfinite(total)
    assert neck.arch_param('reduce').grad.abs().sum() > 0
    assert neck.arch_param('normal').grad.abs().sum() > 0

    genotype = neck.derive_genotype()
    derived = MODELS.build(dict(type='mmmtnas.DartsSSDNeck', genotype=genotype,
                                in_channels=[16, 32], out_channels=[16, 32, 16, 16],
                                normal_cells_per_level=1))
    assert isinstance(derived, DartsSSDNeck)
    derived.eval()
    outs = derived([torch.randn(1, 16, 8, 8), torch.randn(1, 32, 4, 4)])
    assert [f.shape for f in outs] == [(1, 16, 8, 8), (1, 32, 4, 4), (1, 16, 2, 2),
                                       (1, 16, 1, 1)]


def test_branch_can_share_the_backbones_normal_cell_explicitly():
    backbone = SearchableDartsBackbone(op_names=OPS, channels=4, num_cells=3, num_nodes=2,
                                       reduction_cells=(1, ),
                                       multiplier=2, arch_names=dict(normal='seg_branch.normal'))
    head = SearchableDartsSegHead(op_names=OPS, num_nodes=2, multiplier=2, in_channels=[8],
                                  in_index=[0], channels=8, num_classes=3,
                                  arch_prefix='seg_branch')
    model = torch.nn.Module()
    model.backbone, model.decode_head = backbone, head
    owner = bind_architecture(model)
    assert backbone.arch_param('normal') is head.arch_param('normal')
    assert owner.names() == ['seg_branch.normal', 'backbone.reduce']
