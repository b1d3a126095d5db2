"""The MTNAS pipeline (a StagedPipeline) on a tiny toy set: a run killed with SIGKILL in S1 and
in S2b (random flips on) and resumed with ``tools/train.py --resume`` writes the uninterrupted
run's genotype files byte for byte; one task per S2b iteration, fixed branch architectures (from
S1's genotype files), a derived finetune network without architecture parameters that starts
from the searched cell weights.

The uninterrupted run is the session's shared tiny run (tests/fixtures/mtnas_toy_runs.py, also
used by the paper-rows test); the interrupted one runs ``tools/train.py`` three times. Every
stage runs a handful of iterations; the work is in building the runners.
"""
import json
import os.path as osp
import re
import shutil

import pytest
import torch
from mmengine.config import Config
from mtnas_toy_runs import ITERS, TOY_CONFIG, shared_toy_run, tiny_options, tiny_pipeline
from train_tool import train, train_killed_after_checkpoint

from mmmtnas.engine.loops import task_schedule
from mmmtnas.engine.runner import StagedPipeline, StageInputError
from mmmtnas.registry import MODELS
from mmmtnas.structures.genotype import genotype_alphas, load_genotype_file

S2B_ITERS = ITERS['s2b']
STAGES = ['s1_det', 's1_seg', 's2a', 's2b', 'finetune']  # no test stage here


def _pipeline(work_dir, **options) -> StagedPipeline:
    return tiny_pipeline(TOY_CONFIG, work_dir, stage_order=STAGES, **options)


def _killed_in(stage, config, work_dir, cwd, *extra):
    """``tools/train.py`` killed with SIGKILL once ``stage`` has written a checkpoint."""
    kill = train_killed_after_checkpoint(config, work_dir, cwd, *extra,
                                         run_dir=work_dir / stage)
    return dict(kill, done=osp.exists(work_dir / stage / 'DONE.json'))


@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    """The session's uninterrupted tiny run (A, in process: tests/fixtures/mtnas_toy_runs.py)
    and a run (B, ``tools/train.py``) killed with SIGKILL in S1 and in S2b, each time resumed
    with ``--resume``; same settings and seed."""
    shared = shared_toy_run(tmp_path_factory)
    root, wd_a, wd_b = shared['root'], shared['work_dir'], shared['root'] / 'b'
    # B: the same settings as a config file for tools/train.py
    cfg = Config.fromfile(osp.abspath(TOY_CONFIG))
    cfg.merge_from_dict(dict(tiny_options(cfg), stage_order=STAGES), allow_list_keys=True)
    config = root / 'tiny_ssd_fcn_toy.py'
    cfg.dump(str(config))
    # killed in S1 after a checkpoint ...
    kills = dict(s1_det=_killed_in('s1_det', config, wd_b, root))
    # ... S1 (seg) and S2a taken from A (the resumed run must skip them) ...
    for stage in ('s1_seg', 's2a'):
        shutil.copytree(wd_a / stage, wd_b / stage)
    # ... resumed, then killed in S2b after a checkpoint, and resumed to the end.
    kills['s2b'] = _killed_in('s2b', config, wd_b, root, '--resume')
    train(config, wd_b, root, '--resume')
    return dict(a=wd_a, b=wd_b, kills=kills, records=shared['records'])


def _genotype(work_dir, stage) -> str:
    return _pipeline(work_dir).output(stage, 'genotype')


def test_runs_killed_in_s1_and_s2b_end_with_the_genotype_files_of_an_uninterrupted_run(runs):
    for stage, kill in runs['kills'].items():
        assert kill['killed'] and not kill['done'], (stage, kill)
        assert kill['checkpoint'].startswith('iter_'), (stage, kill)
        a, b = _genotype(runs['a'], stage), _genotype(runs['b'], stage)
        assert open(a, 'rb').read() == open(b, 'rb').read(), stage
    # the finished stages were skipped, not rerun: their markers are A's
    for stage in ('s1_seg', 's2a'):
        with open(osp.join(runs['a'], stage, 'DONE.json')) as fa, \
                open(osp.join(runs['b'], stage, 'DONE.json')) as fb:
            assert fa.read() == fb.read()
    for stage in ('s1_det', 's1_seg', 's2a', 's2b', 'finetune'):
        assert osp.isfile(osp.join(runs['b'], stage, 'DONE.json'))
    assert osp.isfile(osp.join(runs['b'], 'summary.md'))
    # the export hook draws the final structure beside its file
    assert osp.isfile(osp.join(runs['b'], 's1_det', 'genotype.png'))


def test_each_s2b_iteration_backpropagates_one_task_in_schedule_order(runs):
    records = runs['records']
    assert [r['task'] for r in records] == task_schedule(('det', 'seg'), S2B_ITERS)
    assert [r['task'] for r in records] == ['det', 'seg'] * 3
    # the PC-DARTS warm-up (arch_begin_iter) trains the weights alone, then both
    assert not records[0]['searching'] and records[-1]['searching']
    for r in records:
        other = 'seg' if r['task'] == 'det' else 'det'
        # the logged losses (weight step and arch step) are that task's only
        assert any(k.startswith(f'{r["task"]}.') for k in r['keys'])
        assert any(k.startswith(f'arch.{r["task"]}.') for k in r['keys']) == r['searching']
        assert not any(k.startswith(f'{other}.') or k.startswith(f'arch.{other}.')
                       for k in r['keys'])
        # and only that task's head was updated (SGD skips parameters without a gradient)
        assert r['moved'] == {r['task']: True, other: False}


def test_branch_architectures_are_fixed_and_finetune_has_no_arch_params(runs):
    wd = str(runs['a'])
    s1_det, s1_seg, s2b = (_genotype(wd, s) for s in ('s1_det', 's1_seg', 's2b'))
    g2b = load_genotype_file(s2b)
    assert g2b['det_neck'] == load_genotype_file(s1_det)['det_neck']
    assert g2b['seg_head'] == load_genotype_file(s1_seg)['seg_head']
    # the branch alphas themselves did not move in S2b
    a2b = genotype_alphas(s2b)
    for src in (s1_det, s1_seg):
        for name, value in genotype_alphas(src).items():
            if name.startswith(('det_neck.', 'seg_head.')):
                assert a2b[name] == value
    # S2a searches the backbone only (with the classification head); no branch part
    assert set(load_genotype_file(_genotype(wd, 's2a'))) == {'backbone'}
    # the finetuned network is derived: no architecture parameters, no mixed ops
    state = torch.load(osp.join(wd, 'finetune', 'checkpoint.pth'), map_location='cpu',
                       weights_only=True)['state_dict']
    assert not any('arch_params' in k or '.edges.' in k for k in state)
    cfg = _pipeline(runs['a']).stage_config('finetune')
    model = MODELS.build(cfg.model)
    from mmmtnas.models.nas import ArchitectureParameters, MixedEdge, searchable_parts
    assert not searchable_parts(model)
    assert not any(isinstance(m, (ArchitectureParameters, MixedEdge)) for m in model.modules())
    assert model.backbone.genotype == g2b['backbone']
    # it started from the searched weights: the cell ops by the search-to-derived map
    with open(osp.join(wd, 'finetune', 'metrics.json')) as f:
        init = json.load(f)['init']
    assert init['mapped'] > init['cells'] > 0
    with open(osp.join(wd, 'summary.json')) as f:
        summary = json.load(f)
    assert summary['stages']['s2b']['structures']['genotype']['file'] == s2b
    assert summary['stages']['finetune']['metrics']['iterations'] == 2


def test_each_stage_logs_into_its_own_folder_with_its_place_in_the_pipeline(
        tmp_path_factory):
    wd = shared_toy_run(tmp_path_factory)['work_dir']
    for k, stage in enumerate(STAGES, 1):
        (run_dir, ) = [d for d in (wd / stage).iterdir() if (d / 'vis_data').is_dir()]
        # the stage's own visualizer wrote the stage's own config (not the last stage's)
        config = (run_dir / 'vis_data' / 'config.py').read_text()
        assert re.search(r"^work_dir\s*=\s*'(.*)'$", config, re.M).group(1) == str(wd / stage)
        (log, ) = run_dir.glob('*.log')
        assert f'pipeline: stage {k}/{len(STAGES)}: {stage} (' in log.read_text()
    (log, ) = (wd / 'finetune').glob('*/*.log')
    assert f'pipeline: summary written to {wd / "summary.md"}' in log.read_text()
    with open(wd / 'summary.json') as f:
        assert 'mmdet' in json.load(f)['units']


def test_search_logs_the_alphas_it_exports_and_draws_them_beside_every_export(
        tmp_path_factory):
    wd = shared_toy_run(tmp_path_factory)['work_dir'] / 's1_det'
    (scalars, ) = wd.glob('*/vis_data/scalars.json')
    logged = [json.loads(line) for line in scalars.read_text().splitlines()
              if '"arch/' in line]
    # the toy config logs every 5 iterations: the start, iteration 5, the end (8)
    assert [line['step'] for line in logged] == [0, 5, ITERS['s1_det']]
    alphas = genotype_alphas(str(wd / 'genotype.yaml'))  # the exported (final) alphas
    # S1 (det) searches the detection neck's cells
    assert set(alphas) == {'det_neck.normal', 'det_neck.reduce'}
    ops = MODELS.build(_pipeline(wd.parent).stage_config('s1_det').model).supernet \
        .det_neck.op_names
    for name in alphas:  # every cell type searched (no PC-DARTS edges in the toy)
        probs = torch.softmax(torch.tensor(alphas[name], dtype=torch.float64), dim=-1)
        for e, row in enumerate(probs):
            values = [logged[-1][f'arch/{name.replace(".", "/")}/edge{e}/{op}'] for op in ops]
            assert sum(values) == pytest.approx(1., abs=1e-5)
            assert values == pytest.approx(row.tolist(), abs=1e-6)
    assert (wd / 'genotype_weights.png').is_file()
    assert (wd / 'architectures' / 'genotype_iter_5_weights.png').is_file()


def test_train_loss_in_metrics_is_the_mean_of_the_last_window_of_both_tasks(
        tmp_path_factory):
    shared = shared_toy_run(tmp_path_factory)
    records = shared['records']
    with open(shared['work_dir'] / 's2b' / 'metrics.json') as f:
        metrics = json.load(f)
    window = metrics['loss_window']
    assert window == 5  # the toy config's log window, shorter than S2b's 6 iterations
    assert {r['task'] for r in records[-window:]} == {'det', 'seg'}
    losses = [r['loss'] for r in records]
    assert metrics['train/loss'] == pytest.approx(sum(losses[-window:]) / window, rel=1e-6)
    assert metrics['train/loss'] != pytest.approx(losses[-1], rel=1e-3)


def test_stage_alone_names_the_missing_input_file(tmp_path):
    pipeline = _pipeline(tmp_path, stage='s2b')
    with pytest.raises(StageInputError, match=r"stage 's2b' needs .*s2a/checkpoint\.pth"):
        pipeline.check_inputs('s2b')
