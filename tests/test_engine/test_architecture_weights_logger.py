"""Architecture weights over time: a tiny DARTS search (PC-DARTS edge weights on) and a tiny
BMTAS search on real Runners log the model's probabilities as visualizer scalars (read back
from ``vis_data/scalars.json``) and draw one heatmap beside every export."""
import glob
import json
import os.path as osp
import uuid

import numpy as np
import pytest
import torch
from mmengine.runner import Runner
from PIL import Image
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401
from tiny_bilevel_supernet import CANDIDATES, TinyBilevelSupernet
from tiny_bmtas import search_runner_cfg
from tiny_darts_supernet import OPS, darts_search_cfg

from mmmtnas.models.algorithms import BilevelSearchAlgorithm
from mmmtnas.models.search import ChoiceWeights
from mmmtnas.visualization.architecture_weights import figure_size

NODES = 2  # the tiny DARTS cells: node i has i + 2 inputs
INPUTS = ['c_prev_prev', 'c_prev', 'node0']


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""


def _scalars(runner):
    """``vis_data/scalars.json`` of the run, one dict per ``add_scalars`` call of the hook."""
    (path, ) = glob.glob(osp.join(runner.log_dir, 'vis_data', 'scalars.json'))
    with open(path) as f:
        lines = [json.loads(line) for line in f]
    return [line for line in lines if any(k.startswith('arch/') for k in line)]


def _check_png(path, tables):
    """Exists, has the size the drawing code gives these tables, and is not blank."""
    image = np.asarray(Image.open(path).convert('RGB'))
    width, height = figure_size(tables)  # inches, at 100 dpi (Agg rounds to a pixel)
    assert abs(image.shape[0] - height * 100) <= 1 and abs(image.shape[1] - width * 100) <= 1
    # a heatmap: many colours (viridis shades, labels), not a uniform canvas
    colours = image.reshape(-1, 3).astype(np.int64) @ np.array([1 << 16, 1 << 8, 1])
    assert len(np.unique(colours)) > 50
    assert image.std() > 20


@pytest.fixture(scope='module')
def darts(tmp_path_factory):
    """3 iterations of a DARTS search whose backbone also has PC-DARTS edge weights."""
    work_dir = tmp_path_factory.mktemp('darts_weights')
    cfg = darts_search_cfg(str(work_dir), max_iters=3, custom_hooks=[
        dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=2),
        dict(type='mmmtnas.ArchitectureExportHook', interval=2, draw=False)])
    cfg['model']['supernet'] = dict(type='TinyDartsClassifier', edge_norm=True)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        runner = Runner(experiment_name=f'arch-weights-{uuid.uuid4().hex}', **cfg)
        runner.train()
    finally:
        torch.set_num_threads(before)
    return dict(runner=runner, work_dir=work_dir)


def test_darts_scalars_are_the_softmax_of_alpha_and_beta_at_0_interval_and_end(darts):
    runner = darts['runner']
    logged = _scalars(runner)
    assert [line['step'] for line in logged] == [0, 2, 3]
    last = logged[-1]
    owner = runner.model.supernet.arch_params
    expected_keys = set()
    for cell in ('normal', 'reduce'):
        alpha = owner[f'backbone.{cell}'].detach()
        assert alpha.shape == (5, len(OPS))  # 2 + 3 edges
        probs = torch.softmax(alpha.double(), dim=-1)
        for e in range(5):
            row = [last[f'arch/backbone/{cell}/edge{e}/{op}'] for op in OPS]
            assert sum(row) == pytest.approx(1., abs=1e-6)
            np.testing.assert_allclose(row, probs[e].numpy(), atol=1e-6)
            expected_keys |= {f'arch/backbone/{cell}/edge{e}/{op}' for op in OPS}
        # PC-DARTS edge weights: a softmax over each node's own incoming edges
        beta = owner[f'backbone.{cell}.edges'].detach().double()
        for i, offset in enumerate((0, 2)):
            row = [last[f'arch/backbone/{cell}/edges/node{i}/{src}']
                   for src in INPUTS[:i + 2]]
            assert sum(row) == pytest.approx(1., abs=1e-6)
            np.testing.assert_allclose(row, torch.softmax(beta[offset:offset + i + 2], 0),
                                       atol=1e-6)
            expected_keys |= {f'arch/backbone/{cell}/edges/node{i}/{src}'
                              for src in INPUTS[:i + 2]}
    # nothing else: node 0 has no input 'node0' (NaN in its table, left out of the log)
    assert set(last) - {'step'} == expected_keys
    # step 0 is the initial architecture; the search moved it
    assert any(logged[0][k] != last[k] for k in expected_keys)


def test_darts_export_draws_the_weights_beside_every_export(darts):
    work_dir, runner = darts['work_dir'], darts['runner']
    tables = runner.model.architecture_weights()
    assert list(tables) == ['backbone/normal', 'backbone/normal/edges', 'backbone/reduce',
                            'backbone/reduce/edges']
    assert tables['backbone/normal'].cols == list(OPS)
    assert sorted(p.name for p in (work_dir / 'architectures').iterdir()) == [
        'genotype_iter_2.yaml', 'genotype_iter_2_weights.png']
    _check_png(work_dir / 'genotype_weights.png', tables)
    _check_png(work_dir / 'architectures' / 'genotype_iter_2_weights.png', tables)


def test_bmtas_scalars_are_the_routing_probabilities_per_layer_and_task(tmp_path):
    cfg = search_runner_cfg(str(tmp_path), custom_hooks=[
        dict(type='mmmtnas.ArchitectureWeightsLoggerHook', interval=100),
        dict(type='mmmtnas.ArchitectureExportHook', filename='branches.yaml', draw=False)])
    cfg['model']['layer_costs'] = [1e6] * 18  # made-up costs: no cost-table measurement
    # 1 warm-up, 1 architecture and 1 weight iteration
    cfg['train_cfg']['schedule'].update(warmup_iters=1, max_arch_iters=1, weight_phase_iters=1)
    runner = Runner(experiment_name=f'arch-weights-{uuid.uuid4().hex}', **cfg)
    runner.train()
    assert runner.iter == 3
    logged = _scalars(runner)
    assert [line['step'] for line in logged] == [0, 3]  # the start and the end
    search = runner.model
    tasks, layers = search.supernet.tasks, search.supernet.layer_names
    assert len(tasks) == 2 and len(layers) > 10
    first, last = logged
    for t, task in enumerate(tasks):
        for layer in layers:
            keys = [f'arch/routing/{task}/{layer}/copy{c}' for c in range(2)]
            # alpha starts at zero: each task indifferent between the copies
            assert [first[k] for k in keys] == [0.5, 0.5]
            logits = search.arch_params[layer].detach().double()[t]
            np.testing.assert_allclose([last[k] for k in keys],
                                       torch.softmax(logits, 0).numpy(), atol=1e-6)
            assert sum(last[k] for k in keys) == pytest.approx(1., abs=1e-6)
    assert len(last) - 1 == len(tasks) * len(layers) * 2
    # the architecture iteration moved the routing away from uniform
    assert any(abs(v - 0.5) > 1e-6 for k, v in last.items() if k != 'step')
    tables = search.architecture_weights()
    assert list(tables) == [f'routing/{task}' for task in tasks]
    assert tables[f'routing/{tasks[0]}'].rows == list(layers)
    _check_png(tmp_path / 'branches_weights.png', tables)


def test_a_supernet_without_darts_parts_logs_softmax_over_each_parameter():
    search = BilevelSearchAlgorithm(supernet=TinyBilevelSupernet())
    tables = search.architecture_weights()
    assert list(tables) == ['edge0', 'edge1']
    for name, table in tables.items():
        assert table.cols == [f'choice{j}' for j in range(len(CANDIDATES))]
        expected = torch.softmax(search.arch_params[name].detach().double(), 0).numpy()
        np.testing.assert_allclose(table.probs[0].numpy(), expected, atol=1e-6)
        assert set(table.scalars(f'arch/{name}')) == {
            f'arch/{name}/choice{j}' for j in range(len(CANDIDATES))}


def test_choice_weights_names_a_shape_mismatch():
    with pytest.raises(ValueError, match=r'probs of shape \(2, 3\) do not match 2 rows x 2'):
        ChoiceWeights(['a', 'b'], ['x', 'y'], torch.zeros(2, 3))


def test_logger_hook_rejects_a_model_that_is_no_search(tmp_path):
    from mmmtnas.engine.hooks import ArchitectureWeightsLoggerHook
    with pytest.raises(ValueError, match='interval must be a positive'):
        ArchitectureWeightsLoggerHook(interval=0)
    runner = type('R', (), dict(model=torch.nn.Linear(2, 2)))()
    with pytest.raises(TypeError, match='Linear has no architecture_weights'):
        ArchitectureWeightsLoggerHook().before_train(runner)
