"""tools/setup_env.sh on a CPU machine: the README's GPU line, in dry-run mode with a fake `nvcc`,
would build mmcv with CUDA for the given architectures and cache the wheel under a key that
says so; the default builds CPU-only; missing nvcc / arch list stop with one line."""
import os
import re
import shlex
import shutil
import stat
import subprocess

import pytest

from repo_paths import REPO_ROOT

NVCC_VERSION = """nvcc: NVIDIA (R) Cuda compiler driver
Copyright (c) 2005-2025 NVIDIA Corporation
Built on Wed_Aug_20_01:58:59_PM_PDT_2025
Cuda compilation tools, release 13.0, V13.0.88
Build cuda_13.0.r13.0/compiler.36424714_0
"""


def _readme_gpu_line():
    with open(os.path.join(REPO_ROOT, 'README.md'), encoding='utf-8') as f:
        lines = re.findall(r'`(FORCE_CUDA=1 [^`]*bash tools/setup_env\.sh)`', f.read())
    assert len(lines) == 1, lines
    return lines[0]


def _executable(path, text):
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def repo(tmp_path):
    """A copy of what the script reads (so a dry run that touched .venv would show)."""
    root = tmp_path / 'repo'
    (root / 'tools').mkdir(parents=True)
    shutil.copy(os.path.join(REPO_ROOT, 'tools', 'setup_env.sh'), root / 'tools')
    shutil.copytree(os.path.join(REPO_ROOT, 'requirements'), root / 'requirements')
    shutil.copy(os.path.join(REPO_ROOT, 'setup.py'), root)
    return root


def _bin(tmp_path, nvcc=True):
    """A PATH directory with a fake nvcc (and an nvidia-smi that sees no GPU)."""
    fake = tmp_path / 'bin'
    fake.mkdir(exist_ok=True)
    if nvcc:
        _executable(fake / 'nvcc', f"#!/bin/sh\ncat <<'EOF'\n{NVCC_VERSION}EOF\n")
    _executable(fake / 'nvidia-smi', '#!/bin/sh\necho "No devices were found"\nexit 6\n')
    return str(fake)


def _dry_run(repo, tmp_path, command='bash tools/setup_env.sh', nvcc=True, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in ('FORCE_CUDA', 'TORCH_CUDA_ARCH_LIST')}
    environ.update(MMMTNAS_SETUP_DRY_RUN='1', MMMTNAS_CACHE=str(tmp_path / 'cache'),
                   PATH=_bin(tmp_path, nvcc) + ':/usr/bin:/bin', **env)
    proc = subprocess.run(['bash', '-c', command], cwd=repo, env=environ, capture_output=True,
                          text=True, timeout=30)
    assert not (repo / '.venv').exists()  # a dry run builds and installs nothing
    assert not (tmp_path / 'cache').exists()
    return proc


def _parse(proc):
    assert proc.returncode == 0, proc.stderr
    cache = re.search(r'dry run: wheel cache (\S+)', proc.stdout).group(1)
    command = shlex.split(re.search(r'dry run: mmcv build: (.*)', proc.stdout).group(1))
    return os.path.basename(cache), dict(a.split('=', 1) for a in command[1:] if '=' in a
                                         and not a.startswith('-')), command


def _torch_version():
    with open(os.path.join(REPO_ROOT, 'requirements', 'torch.txt')) as f:
        return re.search(r'^torch==(\S+)', f.read(), re.M).group(1)


def test_readme_gpu_line_builds_cuda_ops_for_its_arch_list_under_its_own_key(repo, tmp_path):
    line = _readme_gpu_line()
    assert 'TORCH_CUDA_ARCH_LIST="8.0;9.0"' in line
    key, env, command = _parse(_dry_run(repo, tmp_path, line))
    assert env['FORCE_CUDA'] == '1' and env['MMCV_WITH_OPS'] == '1'
    assert env['TORCH_CUDA_ARCH_LIST'] == '8.0;9.0'
    assert 'CUDA_VISIBLE_DEVICES' not in env
    assert command[0] == 'env' and command[-3:-1] == ['.', '-w']
    assert key == f'mmcv-2.1.0-torch{_torch_version()}-{os.uname().machine}-cuda13.0-arch8.0_9.0'


def test_arch_list_is_normalised_in_the_key_and_the_build(repo, tmp_path):
    key, env, _ = _parse(_dry_run(repo, tmp_path, FORCE_CUDA='1',
                                  TORCH_CUDA_ARCH_LIST=' 9.0+PTX, 8.0 8.0'))
    assert env['TORCH_CUDA_ARCH_LIST'] == '8.0;9.0+PTX'
    assert key.endswith('-cuda13.0-arch8.0_9.0+PTX')


def test_default_is_a_cpu_only_build_under_the_plain_key(repo, tmp_path):
    key, env, _ = _parse(_dry_run(repo, tmp_path, TORCH_CUDA_ARCH_LIST='8.0'))
    assert env['FORCE_CUDA'] == '0'
    assert env['CUDA_VISIBLE_DEVICES'] == ''  # mmcv builds CUDA ops whenever torch sees a GPU
    assert 'TORCH_CUDA_ARCH_LIST' not in env
    assert key == f'mmcv-2.1.0-torch{_torch_version()}-{os.uname().machine}'


@pytest.mark.parametrize('env, nvcc, message', [
    (dict(FORCE_CUDA='1', TORCH_CUDA_ARCH_LIST='8.0'), False, 'needs nvcc on PATH'),
    (dict(FORCE_CUDA='1'), True, 'needs TORCH_CUDA_ARCH_LIST'),
    (dict(FORCE_CUDA='1', TORCH_CUDA_ARCH_LIST='sm_80'), True, "'sm_80'"),
    (dict(FORCE_CUDA='yes'), True, "FORCE_CUDA must be 0"),
])
def test_gpu_setup_mistakes_stop_with_one_line(repo, tmp_path, env, nvcc, message):
    if not nvcc and shutil.which('nvcc', path='/usr/bin:/bin'):
        pytest.skip('a system nvcc in /usr/bin')
    proc = _dry_run(repo, tmp_path, nvcc=nvcc, **env)
    assert proc.returncode == 1 and proc.stdout == ''
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
