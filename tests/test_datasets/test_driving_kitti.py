"""Kitti2DDataset reads KITTI label_2 files as KITTI ships them."""
import os.path as osp

import numpy as np
import pytest
from PIL import Image

from mmmtnas.datasets.driving import (DataRootNotFoundError, Kitti2DDataset,
                                      KittiLabelFormatError, UnknownCategoryError,
                                      parse_kitti_line)

# Lines in the format of KITTI's devkit readme (15 fields).
LINES = [
    'Car 0.00 0 -1.58 587.01 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59',
    'Pedestrian 0.00 0 -0.20 712.40 143.00 810.73 307.92 1.89 0.48 1.20 1.84 1.47 8.41 0.01',
    'Van 0.29 1 1.55 0.00 190.22 69.68 238.26 1.98 1.82 4.68 -16.53 2.39 58.49 1.27',
    'Cyclist 0.00 2 1.80 300.00 170.00 320.50 200.00 1.70 0.60 1.80 -9.50 1.70 30.00 1.48',
    'Truck 0.00 0 -1.57 600.00 150.00 700.00 250.00 3.0 2.5 8.0 1.00 1.70 30.00 -1.55',
    'DontCare -1 -1 -10 503.89 169.71 590.61 190.13 -1 -1 -1 -1000 -1000 -1000 -10',
]


def _write_kitti(root, frames):
    for sub in ('training/image_2', 'training/label_2', 'ImageSets'):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for frame, lines in frames.items():
        Image.new('RGB', (1242, 375)).save(root / 'training/image_2' / f'{frame}.png')
        (root / 'training/label_2' / f'{frame}.txt').write_text(''.join(l + '\n' for l in lines))
    (root / 'ImageSets/train.txt').write_text(''.join(f'{f}\n' for f in frames))


def test_parse_kitti_line_reads_all_15_fields():
    obj = parse_kitti_line(LINES[2])
    assert obj['type'] == 'Van' and obj['truncated'] == pytest.approx(0.29)
    assert obj['occluded'] == 1 and obj['alpha'] == pytest.approx(1.55)
    assert obj['bbox'] == pytest.approx([0.0, 190.22, 69.68, 238.26])
    assert obj['dimensions'] == pytest.approx([1.98, 1.82, 4.68])
    assert obj['location'] == pytest.approx([-16.53, 2.39, 58.49])
    assert obj['rotation_y'] == pytest.approx(1.27)


def test_known_lines_become_instances_ignores_and_dropped_types(tmp_path, logged_warnings):
    _write_kitti(tmp_path, {'000000': LINES})
    ds = Kitti2DDataset(data_root=str(tmp_path), ann_file='ImageSets/train.txt',
                        drop_types=('Truck', 'Tram'))
    assert ds.metainfo['classes'] == ('car', 'pedestrian', 'cyclist')
    info = ds.get_data_info(0)
    assert (info['width'], info['height']) == (1242, 375)
    got = [(i['bbox_label'], i['ignore_flag'], *np.round(i['bbox'], 2)) for i in info['instances']]
    dc = [503.89, 169.71, 590.61, 190.13]
    assert got == [
        (0, 0, 587.01, 173.33, 614.12, 200.12),  # Car
        (1, 0, 712.40, 143.00, 810.73, 307.92),  # Pedestrian
        (0, 1, 0.00, 190.22, 69.68, 238.26),  # Van: ignored car
        (2, 0, 300.00, 170.00, 320.50, 200.00),  # Cyclist
        # Truck dropped; DontCare ignored for every class
        (0, 1, *dc), (1, 1, *dc), (2, 1, *dc),
    ]
    label_dir = osp.join(str(tmp_path), 'training/label_2')
    assert logged_warnings == [
        f'Kitti2DDataset: dropped 1 annotations of {label_dir} (first Truck in '
        f"{label_dir}/000000.txt) whose type is in drop_types: 'Truck': 1"]


def test_objects_of_types_in_no_table_are_an_error_naming_files_and_types(tmp_path):
    _write_kitti(tmp_path, {'000000': LINES[:2], '000001': LINES,
                            '000002': [LINES[4].replace('Truck', 'Tram'), LINES[4]]})
    with pytest.raises(UnknownCategoryError) as err:
        Kitti2DDataset(data_root=str(tmp_path), ann_file='ImageSets/train.txt')
    label_dir = osp.join(str(tmp_path), 'training/label_2')
    assert str(err.value) == (
        f'Kitti2DDataset: {label_dir} (first Tram in {label_dir}/000002.txt, Truck in '
        f"{label_dir}/000001.txt) has 3 annotations of type(s) that are not in the class "
        "table: 'Tram': 1, 'Truck': 2; map them to a class, or list them in drop_types to "
        'drop them')


def test_drop_types_must_be_kitti_types_no_table_handles(tmp_path):
    _write_kitti(tmp_path, {'000000': LINES})
    with pytest.raises(ValueError, match=r"drop_types lists \['Van'\], which type_map"):
        Kitti2DDataset(data_root=str(tmp_path), drop_types=('Truck', 'Van'))
    with pytest.raises(KeyError, match="'Lorry' is not a KITTI type"):
        Kitti2DDataset(data_root=str(tmp_path), drop_types=('Lorry', ))


def test_difficulty_ignores_objects_beyond_the_kitti_level(tmp_path):
    _write_kitti(tmp_path, {'000000': LINES[:4]})
    ds = Kitti2DDataset(data_root=str(tmp_path), ann_file='ImageSets/train.txt',
                        difficulty='moderate')
    flags = [i['ignore_flag'] for i in ds.get_data_info(0)['instances']]
    # car: 26.8 px high, occ 0 -> kept; pedestrian kept; van ignored anyway; cyclist occ 2 > 1
    assert flags == [0, 0, 1, 1]


def test_toy_kitti_labels_round_trip(toy_driving):
    root, manifest = toy_driving
    ds = Kitti2DDataset(data_root=osp.join(root, 'kitti'), ann_file='ImageSets/val.txt',
                        drop_types=('Truck', 'Tram', 'Misc'), test_mode=True)
    classes = {'Car': 0, 'Pedestrian': 1, 'Cyclist': 2}
    for k, rec in enumerate(manifest['sources']['kitti']['val']):
        info = ds.get_data_info(k)
        assert info['img_path'].endswith(rec['img'])
        kept = sorted((classes[o['name']], *np.round(o['bbox'], 2)) for o in rec['objects']
                      if o['name'] in classes)
        got = sorted((i['bbox_label'], *np.round(i['bbox'], 2)) for i in info['instances']
                     if not i['ignore_flag'])
        assert got == kept


def test_malformed_line_names_file_and_line(tmp_path):
    _write_kitti(tmp_path, {'000000': LINES[:1], '000001': [LINES[0], 'Car 0.00 0 1.0 2 3']})
    with pytest.raises(KittiLabelFormatError) as err:
        Kitti2DDataset(data_root=str(tmp_path), ann_file='ImageSets/train.txt')
    msg = str(err.value)
    assert 'training/label_2/000001.txt:2' in msg and 'expected 15' in msg and 'got 6' in msg
    assert '\n' not in msg


@pytest.mark.parametrize('line,match', [
    ('Car 0.00 0 -1.58 x 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59',
     "field 'x1' is not a number: 'x'"),
    ('Bus 0.00 0 -1.58 587.01 173.33 614.12 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59',
     "unknown object type 'Bus'"),
    ('Car 0.00 0 -1.58 614.12 173.33 587.01 200.12 1.65 1.67 3.64 -0.65 1.71 46.70 -1.59',
     'x2 < x1'),
])
def test_bad_fields_are_named(line, match):
    with pytest.raises(KittiLabelFormatError, match=match) as err:
        parse_kitti_line(line, 'f.txt', 7)
    assert str(err.value).startswith('f.txt:7: ')


def test_missing_kitti_root_fails_with_one_line(tmp_path):
    with pytest.raises(DataRootNotFoundError) as err:
        Kitti2DDataset(data_root=str(tmp_path / 'kitti'), ann_file='ImageSets/train.txt')
    msg = str(err.value)
    assert str(tmp_path / 'kitti') in msg and 'docs/data_preparation.md' in msg
    assert '\n' not in msg
