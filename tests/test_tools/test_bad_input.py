"""Bad files given to tools/train.py: each run stops with exit status 1 and exactly one `error:`
line that names the file and what is wrong (no traceback), and the work dir's earlier output
(a finished run's checkpoints and logs) is left as it was.

Each case uses the cheapest config that reaches the code reading the file: the tiny regressor
(checkpoints, COCO annotations), a tiny DARTS classifier (genotype file) and the toy BMTAS
retraining config (branch file)."""
import hashlib
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
import torch

from repo_paths import FIXTURES, REPO_ROOT

TINY = osp.join(FIXTURES, 'configs', 'tiny_regression.py')
BMTAS_RETRAIN = osp.join(REPO_ROOT, 'configs', 'bmtas', 'toy_mnv2_retrain.py')
# The searchable layers of the toy BMTAS encoder (MobileNetV2 blocks + R-ASPP), in order.
MNV2_LAYERS = ['layer1.0', 'layer2.0', 'layer2.1', 'layer3.0', 'layer3.1', 'layer3.2',
               'layer4.0', 'layer4.1', 'layer4.2', 'layer4.3', 'layer5.0', 'layer5.1',
               'layer5.2', 'layer6.0', 'layer6.1', 'layer6.2', 'layer7.0', 'raspp']


class _RunsShell:
    """What a malicious checkpoint holds: unpickling it would run a shell command."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command, ))


def _run_train(*args, cwd=REPO_ROOT):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([FIXTURES, REPO_ROOT]))
    env.pop('MMMTNAS_DEBUG', None)
    return subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _snapshot(folder):
    """Relative path -> sha256 of every file under ``folder``."""
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = osp.join(root, name)
            with open(path, 'rb') as f:
                out[osp.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.fixture(scope='module')
def earlier_run(tmp_path_factory):
    """The work dir of a finished tiny run (2 epochs, a checkpoint each)."""
    work = tmp_path_factory.mktemp('earlier')
    proc = _run_train(TINY, '--work-dir', str(work))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'epoch_2.pth').is_file()
    return work


# Each case writes its bad file under `tmp` and returns (file, train.py arguments, phrase
# the error line must contain besides the file name).


def _checkpoint_case(kind):

    def make(tmp):
        path = tmp / 'given' / f'{kind}.pth'
        path.parent.mkdir()
        if kind == 'malicious':
            torch.save({'state_dict': {}, 'meta': _RunsShell(f'touch {tmp}/PWNED')}, path)
            phrase = f'holds type(s) {os.system.__module__}.system that are not allow-listed'
        elif kind == 'empty':
            path.write_bytes(b'')
            phrase = 'checkpoint file is empty'
        else:
            torch.save({'state_dict': {'fc.weight': torch.zeros(1, 4)}}, path)
            path.write_bytes(path.read_bytes()[:-100])
            phrase = 'checkpoint is truncated or corrupt'
        return path, [TINY, '--resume', str(path)], phrase

    return make


def _genotype_random_bytes(tmp):
    path = tmp / 'given' / 'genotype.yaml'
    path.parent.mkdir()
    path.write_bytes(bytes(range(128, 256)) * 16)
    config = tmp / 'darts_classifier.py'
    config.write_text(
        f'_base_ = [{TINY!r}]\n'
        'model = dict(\n'
        "    _delete_=True, type='mmpretrain.ImageClassifier',\n"
        "    data_preprocessor=dict(type='mmpretrain.ClsDataPreprocessor'),\n"
        f"    backbone=dict(type='mmmtnas.DartsBackbone', genotype={str(path)!r}, channels=4,\n"
        '                  num_cells=3, out_indices=(2, )),\n'
        "    neck=dict(type='mmpretrain.GlobalAveragePooling'),\n"
        "    head=dict(type='mmpretrain.LinearClsHead', num_classes=2, in_channels=16))\n")
    return path, [str(config)], 'not a genotype file: not UTF-8 text'


def _branch_file_out_of_order(tmp):
    from mmmtnas.structures import BranchStructure
    path = tmp / 'given' / 'branches.yaml'
    BranchStructure.all_shared(['semseg', 'sal'], MNV2_LAYERS).dump(str(path))
    text = path.read_text()
    edited = text.replace('sal: {layer1.0: 0, layer2.0: 0, layer2.1: 0,',
                          'sal: {layer1.0: 0, layer2.1: 0, layer2.0: 0,')
    assert edited != text
    path.write_text(edited)
    return path, [BMTAS_RETRAIN, '--cfg-options', f'model.encoder.branches={path}'], (
        "routing.sal has the layers of `layers` in the wrong order: position 1 is 'layer2.1' "
        "where `layers` has 'layer2.0'")


def _coco_unknown_categories(tmp):
    root = tmp / 'given' / 'coco'
    (root / 'images').mkdir(parents=True)
    images = [dict(id=i, file_name=f'{i}.jpg', height=64, width=64) for i in (1, 2)]
    # category 3 ('sign') is in the file but not among the dataset's classes
    cats = [1, 2, 3, 3, 1, 3]
    anns = [dict(id=k + 1, image_id=1 + k % 2, category_id=c, bbox=[4, 4, 20, 20], area=400,
                 iscrowd=0) for k, c in enumerate(cats)]
    categories = [dict(id=i, name=n) for i, n in ((1, 'vehicle'), (2, 'pedestrian'), (3, 'sign'))]
    path = root / 'train.json'
    path.write_text(json.dumps(dict(images=images, annotations=anns, categories=categories)))
    config = tmp / 'coco_regression.py'
    config.write_text(
        f'_base_ = [{TINY!r}]\n'
        'train_dataloader = dict(dataset=dict(\n'
        "    _delete_=True, type='mmmtnas.ClassMergeDataset',\n"
        "    dataset=dict(type='mmdet.CocoDataset', data_root="
        f"{str(root)!r}, ann_file='train.json',\n"
        "                 data_prefix=dict(img='images/'),\n"
        "                 metainfo=dict(classes=('vehicle', 'pedestrian'))),\n"
        "    class_map=dict(vehicle='vehicle', pedestrian='pedestrian')))\n")
    return path, [str(config)], ('has 3 annotations of category id(s) that are not in the '
                                 'class table: 3: 3')


CASES = {
    'genotype_random_bytes': _genotype_random_bytes,
    'branch_file_out_of_order': _branch_file_out_of_order,
    'checkpoint_malicious': _checkpoint_case('malicious'),
    'checkpoint_empty': _checkpoint_case('empty'),
    'checkpoint_truncated': _checkpoint_case('truncated'),
    'coco_unknown_categories': _coco_unknown_categories,
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_bad_file_is_one_error_line_naming_it(case, tmp_path, earlier_run):
    work = tmp_path / 'work'
    shutil.copytree(earlier_run, work)
    before = _snapshot(work)
    bad, args, phrase = CASES[case](tmp_path)
    proc = _run_train(*args, '--work-dir', str(work))
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    errors = [ln for ln in output.splitlines() if ln.startswith('error:')]
    assert len(errors) == 1, output[-3000:]
    assert str(bad) in errors[0] and phrase in errors[0], errors[0]
    assert 'Traceback' not in output
    assert not (tmp_path / 'PWNED').exists()
    after = _snapshot(work)
    # A run's config dump is rewritten when the Runner starts; the other files must be intact.
    dump = osp.basename(TINY)
    changed = sorted(p for p, digest in before.items() if after.get(p) != digest)
    assert [p for p in changed if p != dump] == []
    if changed:
        pytest.xfail(f'{dump} of the earlier run was rewritten before {bad.name} was read: '
                     'tools/train.py must check the files it is given before the Runner '
                     'dumps the config (issue 16)')
