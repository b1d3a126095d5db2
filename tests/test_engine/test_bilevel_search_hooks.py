"""Search hooks on a real Runner with a tiny real DARTS supernet: genotype export, DARTS+
early stopping (architecture unchanged for K checks; too many skip_connects)."""
import uuid

import pytest
import torch
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread  # noqa: F401
from tiny_darts_supernet import OPS, darts_search_cfg

from mmmtnas.models.nas import derive_genotypes
from mmmtnas.structures.genotype import genotype_alphas, load_genotype_file, read_genotype_file


def _runner(tmp_path, **kwargs):
    return Runner(experiment_name=f'hooks-{uuid.uuid4().hex}',
                  **darts_search_cfg(str(tmp_path), **kwargs))


def test_export_hook_writes_genotype_alphas_step_and_picture_at_interval_and_end(tmp_path):
    runner = _runner(tmp_path, max_iters=4,
                     custom_hooks=[dict(type='mmmtnas.ArchitectureExportHook', interval=2,
                                        draw_interval_exports=True)])
    runner.train()
    out = tmp_path / 'architectures'
    assert sorted(p.name for p in out.iterdir()) == [
        'genotype_iter_2.png', 'genotype_iter_2.yaml', 'genotype_iter_2_weights.png',
        'genotype_iter_4.png', 'genotype_iter_4.yaml', 'genotype_iter_4_weights.png']
    assert (tmp_path / 'genotype.png').is_file()
    assert (tmp_path / 'genotype_weights.png').is_file()
    supernet = runner.model.supernet
    final = tmp_path / 'genotype.yaml'
    assert load_genotype_file(str(final)) == derive_genotypes(supernet)
    assert read_genotype_file(str(final))['step'] == 4
    assert read_genotype_file(str(out / 'genotype_iter_2.yaml'))['step'] == 2
    alphas = genotype_alphas(str(final))
    for name, value in supernet.arch_params.items():
        torch.testing.assert_close(torch.tensor(alphas[name]), value.detach())
    # The iteration-2 alphas are those of an earlier state: the search moved them.
    early = genotype_alphas(str(out / 'genotype_iter_2.yaml'))
    assert any(early[n] != alphas[n] for n in alphas)


def test_stable_architecture_stops_after_patience_unchanged_checks(tmp_path):
    # arch lr 0: the genotype never changes; checks at 1, 2, 3, 4 -> unchanged 0, 1, 2, 3.
    runner = _runner(tmp_path, max_iters=10, arch_lr=0.,
                     custom_hooks=[dict(type='mmmtnas.ArchitectureStableStopHook', interval=1,
                                        patience=3)])
    runner.train()
    assert runner.iter == 4
    assert runner.message_hub.get_scalar('train/arch_unchanged_checks').current() == 3


def test_stable_stop_state_round_trips_through_a_checkpoint(tmp_path):
    from mmmtnas.engine.hooks import ArchitectureStableStopHook
    hook = ArchitectureStableStopHook(interval=1, patience=10)
    hook.last, hook.unchanged = dict(backbone=dict(cells={})), 7
    checkpoint = dict(meta={})
    hook.before_save_checkpoint(None, checkpoint)
    fresh = ArchitectureStableStopHook(interval=1, patience=10)
    fresh.after_load_checkpoint(None, checkpoint)
    assert (fresh.last, fresh.unchanged) == (hook.last, 7)


def _skip_everywhere(runner):
    """Make skip_connect the strongest op on every normal edge (arch lr 0 keeps it so)."""
    with torch.no_grad():
        alpha = runner.model.supernet.arch_params['backbone.normal']
        alpha.zero_()
        alpha[:, OPS.index('skip_connect')] = 5.


@pytest.mark.parametrize('max_skip, stops_at', [(2, 2), (4, 5)])
def test_skip_connect_hook_stops_when_normal_cell_has_more_than_t(tmp_path, max_skip,
                                                                  stops_at):
    # 2 nodes x 2 inputs = 4 skip_connects in the derived normal cell.
    runner = _runner(tmp_path, max_iters=5, arch_lr=0.,
                     custom_hooks=[dict(type='mmmtnas.SkipConnectStopHook', interval=2,
                                        max_skip_connects=max_skip, parts=['backbone'])])
    _skip_everywhere(runner)
    assert derive_genotypes(runner.model.supernet)['backbone'].count_op(
        'skip_connect', 'normal') == 4
    runner.train()
    assert runner.iter == stops_at


def test_skip_connect_hook_names_an_unknown_part(tmp_path):
    runner = _runner(tmp_path, max_iters=2,
                     custom_hooks=[dict(type='mmmtnas.SkipConnectStopHook', interval=1,
                                        parts=['seg_head'])])
    with pytest.raises(KeyError, match=r"no searchable part\(s\) \['seg_head'\].*'backbone'"):
        runner.train()


@pytest.fixture(autouse=True)
def _single_thread(one_torch_thread):
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""


def test_stable_stop_ignores_a_swap_in_edge_order(monkeypatch):
    """Derivation lists a node's edges strongest first; the same architecture derived with
    two edges' strengths swapped must count as unchanged."""
    import types

    from mmengine.logging import MessageHub

    from mmmtnas.engine.hooks import architecture_stable_stop_hook as module
    from mmmtnas.structures import GenotypeSet
    from mmmtnas.structures.genotype import CellGenotype, Genotype

    a = CellGenotype.create([[('sep_conv_3x3', 0), ('skip_connect', 1)],
                             [('max_pool_3x3', 2), ('dil_conv_3x3', 0)]], concat=[2, 3])
    swapped = CellGenotype.create([[('skip_connect', 1), ('sep_conv_3x3', 0)],
                                   [('dil_conv_3x3', 0), ('max_pool_3x3', 2)]], concat=[2, 3])
    changed = CellGenotype.create([[('sep_conv_5x5', 0), ('skip_connect', 1)],
                                   [('max_pool_3x3', 2), ('dil_conv_3x3', 0)]], concat=[2, 3])
    sequence = iter([a, swapped, a, changed])
    monkeypatch.setattr(module, 'export_architecture', lambda runner, iteration: GenotypeSet(
        parts={'backbone': Genotype({'normal': next(sequence)})}))
    runner = types.SimpleNamespace(iter=0, train_loop=types.SimpleNamespace(stop_training=False),
                                   message_hub=MessageHub.get_instance('stable-stop-swap'))
    hook = module.ArchitectureStableStopHook(interval=1, patience=10)
    counts = []
    for it in range(4):
        runner.iter = it
        hook.after_train_iter(runner, it)
        counts.append(hook.unchanged)
    assert counts == [0, 1, 2, 0]


def test_a_run_resumed_from_the_checkpoint_that_decided_to_stop_stops_again():
    """The stop decision of iteration N is in iter_N.pth (the hook runs before the checkpoint
    hook): a run killed after that save and resumed must not search on."""
    import types

    from mmmtnas.engine.hooks import ArchitectureStableStopHook
    decided = ArchitectureStableStopHook(interval=1, patience=3)
    decided.last, decided.unchanged = dict(backbone=dict(cells={})), 3
    checkpoint = dict(meta={})
    decided.before_save_checkpoint(None, checkpoint)
    runner = types.SimpleNamespace(train_loop=types.SimpleNamespace(stop_training=False))
    resumed = ArchitectureStableStopHook(interval=1, patience=3)
    resumed.after_load_checkpoint(runner, checkpoint)
    resumed.before_train(runner)
    assert runner.train_loop.stop_training
    fresh = ArchitectureStableStopHook(interval=1, patience=3)
    fresh_runner = types.SimpleNamespace(train_loop=types.SimpleNamespace(stop_training=False))
    fresh.before_train(fresh_runner)
    assert not fresh_runner.train_loop.stop_training
