"""User mistakes end with one final line that names the problem (tools run in-process)."""
import os.path as osp
import runpy
import sys

import pytest

from repo_paths import REPO_ROOT
from test_tools.test_train_resume import CONFIG


def run_tool_inprocess(monkeypatch, capsys, tool, *args):
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    monkeypatch.chdir(REPO_ROOT)
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(osp.join(REPO_ROOT, 'tools', tool), run_name='__main__')
    assert exit_info.value.code == 1
    lines = [ln for ln in capsys.readouterr().err.strip().splitlines() if ln.strip()]
    assert lines[-1].startswith('(set MMMTNAS_DEBUG=1')
    assert lines[-2].startswith('error: ')
    return lines[-2]


def test_unknown_type_is_named(monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', CONFIG, '--work-dir',
                              str(tmp_path), '--cfg-options', 'model.type=TinyRegresor')
    assert 'TinyRegresor' in line


def test_mistyped_top_level_key_is_named(monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', CONFIG, '--work-dir',
                              str(tmp_path), '--cfg-options', 'optim_wraper.optimizer.lr=0.1')
    assert "'optim_wraper'" in line and "'optim_wrapper'" in line


def test_mistyped_nested_key_is_named(monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', CONFIG, '--work-dir',
                              str(tmp_path), '--cfg-options', 'model.in_dmi=4')
    assert 'in_dmi' in line and 'TinyRegressor' in line


def test_missing_config_and_checkpoint_are_named(monkeypatch, capsys, tmp_path):
    line = run_tool_inprocess(monkeypatch, capsys, 'train.py', str(tmp_path / 'nope.py'))
    assert 'nope.py' in line
    line = run_tool_inprocess(monkeypatch, capsys, 'test.py', CONFIG, str(tmp_path / 'no.pth'))
    assert 'no.pth' in line


def test_error_line_is_the_head_of_a_multi_line_message():
    from mmmtnas.utils.cli import _innermost_message
    err = RuntimeError('Expected to have finished reduction in the prior iteration.\n'
                       'In addition, you can set the environment variable '
                       'TORCH_DISTRIBUTED_DEBUG to either INFO or DETAIL.')
    assert _innermost_message(err) == ('RuntimeError: Expected to have finished reduction in '
                                       'the prior iteration.')
