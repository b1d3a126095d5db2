"""Table 1's proxy-task rows and random search, on the toy CIFAR-10 (CIFAR's own pickles):
the DARTS-on-CIFAR toy search writes a genotype file whose cells the multi-task network is
built from; random architectures are seeded, valid, computed exactly by the supernet, and the
random search keeps the best-scored one."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.datasets import CIFAR10

from mmmtnas.datasets import LocalCIFAR10
from mmmtnas.engine.hooks import RandomSearchHook
from mmmtnas.engine.hooks.random_search_hook import best_index
from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.models.nas.derive_genotypes import derive_genotypes
from mmmtnas.models.nas.random_sampling import sample_genotypes, set_architecture
from mmmtnas.registry import HOOKS, MODELS
from mmmtnas.structures.genotype import check_genotype, load_genotype, load_genotype_file
from mmmtnas.testing import make_toy_cifar10
from mmmtnas.testing.toy_cifar import CIFAR10_CLASSES
from repo_paths import REPO_ROOT

TABLE1 = osp.join(REPO_ROOT, 'configs', 'mtnas', 'table1')
PARTS = ('backbone', 'det_neck', 'seg_head')


@pytest.fixture(scope='module')
def toy_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('proxy')
    labels = make_toy_cifar10(str(root / 'data' / 'toy_driving' / 'cifar10'), seed=1)
    cwd = os.getcwd()
    os.chdir(root)  # the toy configs read data/toy_driving relative to the working dir
    yield root, labels
    os.chdir(cwd)


def _pipeline(name, work_dir, **options):
    cfg = Config.fromfile(osp.join(TABLE1, name))
    cfg.merge_from_dict(options, allow_list_keys=True)
    cfg.work_dir = str(work_dir)
    return StagedPipeline.from_cfg(cfg)


def test_toy_cifar_is_read_by_mmpretrain_from_its_binary_format(toy_root):
    root, labels = toy_root
    data_root = str(root / 'data' / 'toy_driving' / 'cifar10')
    train = LocalCIFAR10(data_root=data_root, split='train', lazy_init=False)
    test = LocalCIFAR10(data_root=data_root, split='test')
    assert [d['gt_label'] for d in train.load_data_list()] == labels['train']
    assert len(train) == 40 and len(test) == 16
    assert train.metainfo['classes'] == CIFAR10_CLASSES
    img = train.get_data_info(0)['img']
    assert img.shape == (32, 32, 3) and img.dtype == np.uint8 and img.std() > 10
    # mmpretrain's class checks the official files' md5s, which generated files cannot match
    with pytest.raises(RuntimeError, match='Cannot find CIFAR10'):
        CIFAR10(data_root=data_root, split='train', download=False)
    with pytest.raises(FileNotFoundError, match=r"lacks \['data_batch_1', .*'batches.meta'\]"):
        LocalCIFAR10(data_root=str(root / 'nothing'))


def test_darts_cifar_search_transfers_its_cells_into_the_multi_task_network(toy_root):
    root, _ = toy_root
    pipeline = _pipeline('proxy_darts_toy.py', root / 'darts', **{
        'stages.cifar_search.train_cfg.max_iters': 3,
        'stages.cifar_search.custom_hooks': [
            dict(type='mmmtnas.ArchitectureExportHook', draw=False)]})
    pipeline.run_stage('cifar_search')
    written = pipeline.output('cifar_search', 'genotype')
    assert osp.isfile(written)
    searched = load_genotype_file(written)
    assert list(searched) == ['backbone'] and set(searched['backbone'].cells) == {
        'normal', 'reduce'}
    assert json.load(open(pipeline.output('cifar_search', 'metrics')))['iterations'] == 3

    pipeline.check_inputs('finetune')  # its input is exactly that file
    for stage in ('finetune', 'test'):
        model_cfg = pipeline.stage_config(stage).model
        assert [model_cfg[p]['genotype'] for p in PARTS] == [written] * 3
    model = MODELS.build(pipeline.stage_config('finetune').model)
    for part in PARTS:
        assert getattr(model, part).genotype.cells.items() <= searched['backbone'].cells.items()
    assert model.seg_head.genotype['normal'] == searched['backbone']['normal']
    assert model.det_neck.genotype == model.backbone.genotype == searched['backbone']
    feats = model.backbone(torch.zeros(1, 3, 64, 128))
    assert [f.shape[1] for f in feats] == [8, 16, 32]


def test_imagenet_rows_pretrain_the_transferred_backbone_before_the_finetune(toy_root):
    root, _ = toy_root
    pipeline = _pipeline('proxy_pc_darts_imagenet_toy.py', root / 'pc')
    assert pipeline.stage_names == ['cifar_search', 'imagenet_pretrain', 'finetune', 'test']
    written = pipeline.output('cifar_search', 'genotype')
    assert pipeline.stage_config('imagenet_pretrain').model.backbone.genotype == written
    assert pipeline.stage_config('cifar_search').model.supernet.backbone.partial_k == 4
    assert pipeline.spec('finetune')['init_from'] == [dict(
        checkpoint=pipeline.output('imagenet_pretrain', 'checkpoint'), include=['backbone.'])]


def _supernet(partial_k):
    return MODELS.build(dict(
        type='mmmtnas.SearchableDartsBackbone', num_nodes=3, multiplier=2, channels=4,
        num_cells=3, partial_k=partial_k, stem_type='cifar'))


@pytest.mark.parametrize('partial_k', [1, 2])
def test_sampled_architectures_are_seeded_valid_and_computed_exactly(partial_k):
    net = _supernet(partial_k)
    draws = [sample_genotypes(net, np.random.default_rng(s)) for s in (3, 3, 4)]
    assert draws[0] == draws[1] and draws[0] != draws[2]
    for genotype in draws[0].values():
        check_genotype(genotype, num_nodes=3, cells=['normal', 'reduce'],
                       op_names=net.op_names)
        assert all(cell.concat == (3, 4) for cell in genotype.cells.values())
    set_architecture(net, draws[2])
    derived = derive_genotypes(net)
    assert derived.keys() == draws[2].keys()
    assert all(derived[k].same_structure(draws[2][k]) for k in derived)
    # the supernet computes only the drawn ops: no weight of an op off the drawn edges (or of
    # a drawn edge's other ops) receives a gradient
    net(torch.randn(2, 3, 8, 8))[-1].sum().backward()
    normal = draws[2][next(iter(draws[2]))]['normal']
    used = {(i, j, op) for i, node in enumerate(normal.nodes) for op, j in node}
    edge = 0
    for i in range(3):
        for j in range(i + 2):
            mixed = net.cells[0].edges[edge]
            for op_name, op in zip(mixed.op_names, mixed.ops):
                grads = [p.grad for p in op.parameters() if p.grad is not None]
                moved = any(g.abs().sum() > 0 for g in grads)
                assert moved == ((i, j, op_name) in used and bool(list(op.parameters()))), \
                    (i, j, op_name)
            edge += 1


def test_best_index_keeps_the_lowest_finite_score():
    assert best_index([3., float('nan'), 1., 1., 2.]) == 2
    with pytest.raises(ValueError, match='finite'):
        best_index([float('nan')])


@HOOKS.register_module(force=True)
class _HandScoredRandomSearchHook(RandomSearchHook):
    """Scores an architecture by hand: minus its sep_conv_3x3 count (more is better)."""

    def score(self, model, batches):
        assert batches  # the validation batches were drawn
        return -float(derive_genotypes(model)['backbone'].count_op('sep_conv_3x3'))


def test_random_search_keeps_the_best_scored_architecture(toy_root):
    root, _ = toy_root
    pipeline = _pipeline('proxy_darts_toy.py', root / 'random', **{
        'stages.cifar_search.train_cfg.max_iters': 2,
        'stages.cifar_search.optim_wrapper.arch.optimizer.lr': 0.,
        'stages.cifar_search.custom_hooks': [
            dict(type='_HandScoredRandomSearchHook', num_samples=6, eval_batches=1, seed=7),
            dict(type='mmmtnas.ArchitectureExportHook', draw=False)]})
    pipeline.run_stage('cifar_search')
    report = json.load(open(osp.join(pipeline.stage_dir('cifar_search'), 'random_search.json')))
    assert len(report['scores']) == 6 and report['best'] == int(np.argmin(report['scores']))
    assert min(report['scores']) < max(report['scores'])
    kept = load_genotype(pipeline.output('cifar_search', 'genotype'), 'backbone')
    assert -kept.count_op('sep_conv_3x3') == min(report['scores'])
    assert kept.same_structure(load_genotype(dict(parts=report['best_genotypes']), 'backbone'))


def test_random_search_rows_search_the_s2b_supernet_of_their_pipeline():
    for name in ('random_search_toy.py', 'random_search_mixed.py'):
        pipeline = _pipeline(name, '/nonexistent')
        assert pipeline.stage_names == ['random_search', 'finetune', 'test']
        cfg = pipeline.stage_config('random_search')
        mtnas = StagedPipeline.from_cfg(Config.fromfile(osp.join(
            TABLE1, '..', name.replace('random_search', 'ssd_fcn'))))
        assert cfg.model.supernet == mtnas.stage_config('s2b').model.supernet
        assert cfg.model.frozen_arch == [] and pipeline.spec('random_search')['init_from'] == []
        assert cfg.optim_wrapper.arch.optimizer.lr == 0.
        assert cfg.custom_hooks[0]['type'] == 'mmmtnas.RandomSearchHook'
        assert pipeline.stage_config('finetune').model.seg_head.genotype == pipeline.output(
            'random_search', 'genotype')
