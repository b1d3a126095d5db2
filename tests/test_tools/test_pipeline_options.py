"""tools/train.py on a pipeline config: --resume [CKPT], --cfg-options and --amp reach every
stage, or stop with one `error:` line (a two-stage pipeline of the tiny regressor)."""
import json
import os.path as osp
import runpy
import sys

import pytest
import torch

from repo_paths import REPO_ROOT
from test_tools.test_cli_errors import run_tool_inprocess
from test_tools.test_train_resume import CONFIG as TINY
from test_tools.test_train_resume import CRASH_CONFIG, final_state, run_tool


def _pipeline(tmp_path, first=TINY, **first_keys) -> str:
    """Stage `a` trains the tiny regressor, stage `b` starts from a's `fc` weights."""
    path = tmp_path / 'pipeline.py'
    extra = ''.join(f', {k}={v!r}' for k, v in first_keys.items())
    path.write_text(
        "runner_type = 'mmmtnas.StagedPipeline'\n"
        "custom_imports = dict(imports=['mmmtnas', 'tiny_model'], allow_failed_imports=False)\n"
        f"stages = dict(a=dict(config={first!r}, kind='train'{extra}),\n"
        f"              b=dict(config={TINY!r}, kind='train', init_from=[dict(\n"
        "                  checkpoint='{stages.a.checkpoint}', include=['fc.'])]))\n")
    return str(path)


def _train_inprocess(monkeypatch, *args):
    monkeypatch.setattr(sys, 'argv', ['train.py', *args])
    monkeypatch.chdir(REPO_ROOT)
    runpy.run_path(osp.join(REPO_ROOT, 'tools', 'train.py'), run_name='__main__')


def test_resume_checkpoint_resumes_the_stage_whose_dir_holds_it(tmp_path):
    work = tmp_path / 'work'
    crash = run_tool('tools/train.py', _pipeline(tmp_path, CRASH_CONFIG), '--work-dir',
                     str(work), check=False)
    assert crash.returncode == 3 and not (work / 'a' / 'epoch_2.pth').exists()
    run_tool('tools/train.py', _pipeline(tmp_path), '--work-dir', str(work), '--resume',
             str(work / 'a' / 'epoch_1.pth'))
    full = tmp_path / 'full'
    run_tool('tools/train.py', TINY, '--work-dir', str(full))
    a, b = final_state(full / 'epoch_2.pth'), final_state(work / 'a' / 'epoch_2.pth')
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=0, atol=0, msg=key)
    # then the next stage ran, from a's weights
    with open(work / 'b' / 'metrics.json') as f:
        # fc (4 + 1) of TinyRegressor's 13 parameters (BatchNorm1d(4): 8)
        assert json.load(f)['init'] == dict(
            offered=2, mapped=2, cells=0, dropped=0, params=13, params_inherited=5,
            cell_params_inherited=0, param_fraction=round(5 / 13, 4), partial_channel_parts=[])
    assert (work / 'summary.json').is_file()


def test_cfg_options_apply_to_every_stage(monkeypatch, tmp_path):
    work = tmp_path / 'work'
    _train_inprocess(monkeypatch, _pipeline(tmp_path), '--work-dir', str(work),
                     '--cfg-options', 'train_cfg.max_epochs=1')
    for stage in ('a', 'b'):
        assert (work / stage / 'epoch_1.pth').is_file()
        assert not (work / stage / 'epoch_2.pth').exists()
        with open(work / stage / 'metrics.json') as f:
            assert json.load(f)['iterations'] == 8  # 32 samples / batch 4, one epoch


def test_resume_of_a_checkpoint_outside_the_stage_dirs_is_one_error_line(
        monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', _pipeline(tmp_path),
                              '--work-dir', str(tmp_path / 'work'), '--resume',
                              str(tmp_path / 'elsewhere.pth'))
    assert 'not a checkpoint of a stage of this pipeline' in line
    assert not (tmp_path / 'work' / 'a').exists()


def test_stage_that_does_not_write_its_declared_output_is_one_error_line(
        monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py',
                              _pipeline(tmp_path, outputs=dict(genotype='genotype.yaml')),
                              '--work-dir', str(tmp_path / 'work'))
    assert "stage 'a' ended without writing its output 'genotype'" in line
    assert not (tmp_path / 'work' / 'a' / 'DONE.json').exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason='with a GPU, --amp trains')
def test_amp_on_a_cpu_only_machine_is_one_error_line(monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', _pipeline(tmp_path),
                              '--work-dir', str(tmp_path / 'work'), '--amp')
    assert "--amp: stage 'a' would train on the CPU" in line
    assert not (tmp_path / 'work' / 'a').exists()  # before any stage started
