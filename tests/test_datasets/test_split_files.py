"""The mixed set's re-division: seeded disjoint splits of the asked sizes, the split tool,
and the dataset configs reading the split files (with one-line errors for bad files)."""
import importlib.util
import os
import os.path as osp

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from torch.utils.data import Dataset

from mmmtnas.datasets.split_files import (SplitFileDataset, SplitFileError, divide,
                                          read_split_file, split_file_name)
from mmmtnas.registry import DATASETS
from repo_paths import REPO_ROOT

DATASET_CONFIGS = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
TOOL = osp.join(REPO_ROOT, 'tools', 'dataset_converters', 'split_mixed_set.py')
PAPER = dict(det=dict(train=120000, val=2000, test=10000), seg=dict(train=10000, val=500,
                                                                    test=1500))


def _pool(n):
    return [f'src{i % 3}/img_{i:06d}.jpg' for i in range(n)]


def test_same_seed_same_split_disjoint_and_of_the_asked_sizes():
    pool = _pool(132000)
    a = divide(pool, PAPER['det'], seed=0)
    assert a == divide(list(reversed(pool)), PAPER['det'], seed=0)  # order of the pool: none
    assert {k: len(v) for k, v in a.items()} == PAPER['det']
    assert set(a['train']).isdisjoint(a['val']) and set(a['train']).isdisjoint(a['test'])
    assert set(a['val']).isdisjoint(a['test'])
    assert set().union(*a.values()) == set(pool)  # the paper's sizes use the whole pool
    b = divide(pool, PAPER['det'], seed=1)
    assert b['val'] != a['val'] and {k: len(v) for k, v in b.items()} == PAPER['det']
    # a random division: every source lands in every split near its share (1/3)
    for split, paths in a.items():
        share = sum(p.startswith('src0/') for p in paths) / len(paths)
        assert abs(share - 1 / 3) < 0.05, (split, share)


def test_division_larger_than_the_pool_names_the_sizes():
    with pytest.raises(ValueError, match=r"seg pool: the splits .* need 12000 images, the pool "
                                         r"holds 11999"):
        divide(_pool(11999), PAPER['seg'], where='seg pool')


def _layout(tmp_path, root):
    """``tmp_path/data/toy_driving`` -> the session's toy set (the configs' relative root)."""
    (tmp_path / 'data').mkdir()
    os.symlink(root, tmp_path / 'data' / 'toy_driving')
    return tmp_path / 'data' / 'toy_driving'


def test_tool_writes_the_files_the_toy_writer_wrote_and_the_config_reads_them(
        toy_driving, tmp_path, monkeypatch):
    root, manifest = toy_driving
    _layout(tmp_path, root)
    monkeypatch.chdir(tmp_path)
    spec = importlib.util.spec_from_file_location('split_mixed_set', TOOL)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    tool.main([osp.join(DATASET_CONFIGS, 'driving_toy.py'), '--det', '8', '2', '2',
               '--seg', '8', '2', '2', '--out', str(tmp_path / 'splits')])
    for task in ('det', 'seg'):
        for split in ('train', 'val', 'test'):
            name = split_file_name(task, split)
            assert read_split_file(str(tmp_path / 'splits' / name)) == \
                read_split_file(osp.join(root, 'splits', name)), name
    # the toy config's loaders read exactly the listed images, from both sources and folders
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, 'driving_toy.py'))
    seen = {}
    for loader, split in [('train_dataloader', 'train'), ('val_dataloader', 'val'),
                          ('test_dataloader', 'test')]:
        for task in ('det', 'seg'):
            dataset = DATASETS.build(cfg[loader][task].dataset)
            listed = read_split_file(osp.join(root, 'splits', split_file_name(task, split)))
            got = [osp.relpath(dataset.get_data_info(i)['img_path'], 'data/toy_driving')
                   for i in range(len(dataset))]
            assert got == listed and len(got) == {'train': 8}.get(split, 2)
            seen.setdefault(task, []).extend(got)
    sources = dict(det=('bdd100k_det', 'waymo'), seg=('cityscapes', 'bdd100k_seg'))
    folders = dict(bdd100k_det='bdd100k', bdd100k_seg='bdd100k')
    for task, names in seen.items():
        pool = {f'{folders.get(s, s)}/{r["img"]}' for s in sources[task]
                for recs in manifest['sources'][s].values() for r in recs}
        assert sorted(names) == sorted(pool)  # disjoint and covering the pool


class _Pool(Dataset):
    """A pool of three images under ``root/``."""

    paths = ['bdd100k/a.jpg', 'bdd100k/b.jpg', 'waymo/c.jpg']

    def __len__(self) -> int:
        return len(self.paths)

    def get_data_info(self, idx: int) -> dict:
        return dict(img_path=osp.join('root', self.paths[idx]))

    __getitem__ = get_data_info


def test_split_file_dataset_keeps_the_listed_images_in_file_order(tmp_path):
    (tmp_path / 'det_val.txt').write_text('waymo/c.jpg\nbdd100k/a.jpg\n')
    split = SplitFileDataset(_Pool(), str(tmp_path / 'det_val.txt'), data_root='root')
    assert len(split) == 2 and [split[i]['img_path'] for i in range(2)] == [
        'root/waymo/c.jpg', 'root/bdd100k/a.jpg']


@pytest.mark.parametrize('text, message', [
    (None, r'split file .*det_val\.txt does not exist; write it with tools/dataset_converters/'
           r'split_mixed_set\.py'),
    ('bdd100k/a.jpg\nbdd100k/a.jpg\n', r"det_val\.txt, line 2: 'bdd100k/a\.jpg' is listed "
                                       r'twice'),
    ('/abs/a.jpg\n', r"det_val\.txt, line 1: expected one image path relative to the data "
                     r"root, got '/abs/a\.jpg'"),
    ('bdd100k/not_there.jpg\n', r"det_val\.txt: 1 of its 1 images are not in the dataset "
                                r"under root \(first: 'bdd100k/not_there\.jpg'\)"),
])
def test_bad_split_file_is_one_line_naming_it(tmp_path, text, message):
    if text is not None:
        (tmp_path / 'det_val.txt').write_text(text)
    with pytest.raises(SplitFileError, match=message) as info:
        SplitFileDataset(_Pool(), str(tmp_path / 'det_val.txt'), data_root='root')
    assert '\n' not in str(info.value)
