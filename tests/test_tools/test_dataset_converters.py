"""Real-data converters (tools/dataset_converters/): each on a tiny sample written in its source's
own format, then the repo's loaders (built from the dataset configs) read the output."""
import importlib.util
import io
import json
import os
import os.path as osp
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from PIL import Image
from repo_paths import REPO_ROOT
from scipy import io as sio

from mmmtnas.datasets.converters import (ArchiveLayoutError, bdd100k_det_to_coco,
                                         convert_nyud_mt, convert_pascal_mt,
                                         convert_waymo_front, crc32c, read_tfrecord)
from mmmtnas.registry import DATASETS
from mmmtnas.testing.toy_dense import make_toy_pascal_mt

DATASET_CONFIGS = osp.join(REPO_ROOT, 'configs', '_base_', 'datasets')
TOOLS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, osp.join(TOOLS, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _jpeg(h, w, seed):
    img = np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format='JPEG')
    return buf.getvalue()


def _build(config, loader, data_root, **kwargs):
    """The dataset of ``loader`` in a dataset config, ``data_root`` replaced, built."""
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, config))
    return DATASETS.build(dict(cfg[loader].dataset, data_root=data_root, **kwargs))


# ----------------------------------------------------------------------------- Waymo
# A hand encoder of the protobuf wire format and of TFRecord framing, independent of the
# converter's reader (its own bytewise CRC-32C), writing the real field numbers of
# waymo_open_dataset/dataset.proto and label.proto, plus fields the reader must skip.

def _crc32c_reference(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data):
    crc = _crc32c_reference(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n):
    out = b''
    while True:
        out += bytes([(n & 0x7F) | (0x80 if n > 0x7F else 0)])
        n >>= 7
        if not n:
            return out


def _int(field, value):
    return _varint(field << 3) + _varint(value)


def _len(field, payload):
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _double(field, value):
    return _varint(field << 3 | 1) + struct.pack('<d', value)


def _float(field, value):
    return _varint(field << 3 | 5) + struct.pack('<f', value)


def _label(cx, cy, length, width, type_, id_):
    box = (_double(1, cx) + _double(2, cy) + _double(3, 0.0) + _double(4, width)
           + _double(5, length) + _double(6, 0.0) + _double(7, 0.0))
    return _len(1, box) + _len(2, _double(1, 0.5)) + _int(3, type_) + _len(4, id_.encode()) \
        + _int(5, 1)


def _frame(context, timestamp, images, labels):
    calib = _int(1, 1) + b''.join(_double(2, v) for v in range(9)) + _int(4, 48) + _int(5, 32)
    ctx = _len(1, context.encode()) + _len(2, calib) + _len(4, _len(2, b'Day'))
    msg = _len(1, ctx) + _int(2, timestamp) + _len(3, b''.join(_double(1, 0.0) for _ in range(16)))
    for cam, jpeg in images.items():
        msg += _len(4, _int(1, cam) + _len(2, jpeg) + _len(4, _float(1, 1.5)) + _double(5, 2.0))
    msg += _len(5, _int(1, 1) + _len(2, _len(2, b'\x78\x9c' + bytes(40))))  # a laser, skipped
    for cam, labs in labels.items():
        msg += _len(8, _int(1, cam) + b''.join(_len(2, lab) for lab in labs))
    return msg


def _tfrecord(path, records):
    with open(path, 'wb') as f:
        for data in records:
            length = struct.pack('<Q', len(data))
            f.write(length + struct.pack('<I', _masked(length)) + data
                    + struct.pack('<I', _masked(data)))


FRONT, FRONT_LEFT = 1, 2
SEGMENT = '10017090168044687777_6380_000_6400_000'


@pytest.fixture(scope='module')
def waymo_segment(tmp_path_factory):
    jpegs = [_jpeg(32, 48, 0), _jpeg(32, 48, 1), _jpeg(32, 48, 2)]
    frames = [
        _frame(SEGMENT, 1550083467346370, {FRONT: jpegs[0], FRONT_LEFT: _jpeg(24, 40, 9)}, {
            FRONT: [_label(10.0, 12.0, 8.0, 6.0, 1, 'car-a'),      # vehicle
                    _label(30.5, 20.0, 3.0, 10.0, 2, 'ped-b'),     # pedestrian
                    _label(20.0, 5.0, 4.0, 4.0, 0, 'unk-c'),       # TYPE_UNKNOWN: not written
                    _label(46.0, 30.0, 8.0, 8.0, 4, 'cyc-d')],     # cyclist, clipped
            FRONT_LEFT: [_label(5.0, 5.0, 2.0, 2.0, 1, 'other-cam')]}),
        _frame(SEGMENT, 1550083467446370, {FRONT: jpegs[1]}, {FRONT: []}),  # labelled, empty
        _frame(SEGMENT, 1550083467546370, {FRONT: jpegs[2]}, {}),  # FRONT not labelled
    ]
    path = str(tmp_path_factory.mktemp('waymo_src') / f'segment-{SEGMENT}_with_camera_labels'
               '.tfrecord')
    _tfrecord(path, frames)
    return path, jpegs


def test_crc32c_matches_the_published_check_value_and_the_bytewise_reference():
    assert crc32c(b'123456789') == 0xE3069283  # the CRC-32C check value (RFC 3720 B.4)
    data = np.random.default_rng(0).integers(0, 256, 50001, dtype=np.uint8).tobytes()
    assert crc32c(data) == _crc32c_reference(data)  # the block-parallel path


def test_waymo_front_to_coco_and_the_mixed_set_loader_reads_it(waymo_segment, tmp_path):
    path, jpegs = waymo_segment
    out = str(tmp_path / 'waymo')
    report = _tool('waymo_front').main([osp.dirname(path), '--split', 'val', '--out', out])
    assert (report['frames'], report['images'], report['unlabelled_frames'],
            report['unknown_type_boxes']) == (3, 2, 1, 1)
    with open(osp.join(out, 'annotations', 'front_val.json')) as f:
        coco = json.load(f)
    names = [f'{SEGMENT}_1550083467346370_FRONT.jpg', f'{SEGMENT}_1550083467446370_FRONT.jpg']
    assert [(im['file_name'], im['height'], im['width']) for im in coco['images']] == \
        [(n, 32, 48) for n in names]
    for name, jpeg in zip(names, jpegs):  # the JPEG as shipped, not re-encoded
        with open(osp.join(out, 'images', 'val', name), 'rb') as f:
            assert f.read() == jpeg
    anns = [(a['image_id'], a['category_id'], a['bbox'], a['waymo_id'])
            for a in coco['annotations']]
    assert anns == [(1, 1, [6.0, 9.0, 8.0, 6.0], 'car-a'),       # (cx - l/2, cy - w/2, l, w)
                    (1, 2, [29.0, 15.0, 3.0, 10.0], 'ped-b'),
                    (1, 4, [42.0, 26.0, 6.0, 6.0], 'cyc-d')]     # clipped at 48 x 32
    assert {c['id']: c['name'] for c in coco['categories']} == \
        {1: 'vehicle', 2: 'pedestrian', 3: 'sign', 4: 'cyclist'}

    # the mixed-set config's Waymo source (val pool) reads the output
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, 'driving_mixed.py'))
    pool = cfg.val_dataloader.det.dataset.dataset.datasets
    source = next(d for d in pool if d.dataset.data_root == cfg.waymo_root
                  and 'val' in d.dataset.ann_file)
    source.dataset.data_root = out + '/'
    dataset = DATASETS.build(source)
    assert len(dataset) == 2
    sample = dataset[0]['data_samples']
    np.testing.assert_allclose(sample.gt_instances.bboxes.numpy(),
                               [[6, 9, 14, 15], [29, 15, 32, 25], [42, 26, 48, 32]])
    assert sample.gt_instances.labels.tolist() == [0, 1, 2]  # vehicle, pedestrian, cyclist


def test_waymo_reader_names_a_corrupt_record_and_the_package_backend_error(waymo_segment,
                                                                           tmp_path):
    path, _ = waymo_segment
    data = bytearray(open(path, 'rb').read())
    data[40] ^= 0xFF  # inside record 0's data
    bad = tmp_path / 'bad.tfrecord'
    bad.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r'bad\.tfrecord: record 0 at byte 0: data CRC'):
        list(read_tfrecord(str(bad)))
    assert len(list(read_tfrecord(str(bad), check_crc=False))) == 3
    # --every 2 keeps frames 0 and 2 of the segment; frame 2 is not labelled
    report = convert_waymo_front([path], str(tmp_path / 'every'), 'train', every=2)
    assert (report['images'], report['unlabelled_frames']) == (1, 1)
    try:
        import waymo_open_dataset  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match='needs the waymo-open-dataset package'):
            _tool('waymo_front').main([path, '--split', 'val', '--out', str(tmp_path),
                                       '--backend', 'waymo'])


# ----------------------------------------------------------------------------- BDD100K

DET_20 = [
    {'name': 'b1c66a42-6f7d68ca.jpg', 'attributes': {'weather': 'overcast'}, 'timestamp': 10000,
     'labels': [
         {'id': '0', 'category': 'car', 'attributes': {'occluded': False, 'truncated': False},
          'box2d': {'x1': 4.5, 'y1': 6.0, 'x2': 20.5, 'y2': 17.0}},
         {'id': '1', 'category': 'pedestrian', 'attributes': {'crowd': True},
          'box2d': {'x1': 30.0, 'y1': 2.0, 'x2': 35.0, 'y2': 20.0}},
         {'id': '2', 'category': 'other vehicle', 'attributes': {},
          'box2d': {'x1': 1.0, 'y1': 1.0, 'x2': 3.0, 'y2': 3.0}},
         {'id': '3', 'category': 'traffic light',
          'attributes': {'trafficLightColor': 'G'},
          'box2d': {'x1': 40.0, 'y1': 0.0, 'x2': 44.0, 'y2': 9.0}},
         {'id': '4', 'category': 'rider', 'attributes': {},
          'box2d': {'x1': 10.0, 'y1': 20.0, 'x2': 14.0, 'y2': 29.0}}]},
    {'name': 'b1c81faa-3df17267.jpg', 'attributes': {}, 'timestamp': 10000},  # no labels
]
# The 2018 release: other names, and lane / drivable-area labels without box2d.
LABELS_2018 = [
    {'name': 'c0001.jpg', 'attributes': {}, 'timestamp': 10000, 'labels': [
        {'id': 7, 'category': 'person', 'attributes': {'occluded': True},
         'manualShape': True, 'box2d': {'x1': 2.0, 'y1': 3.0, 'x2': 5.0, 'y2': 9.0}},
        {'id': 8, 'category': 'bike', 'attributes': {},
         'box2d': {'x1': 1, 'y1': 1, 'x2': 2, 'y2': 2}},
        {'id': 9, 'category': 'motor', 'attributes': {},
         'box2d': {'x1': 0, 'y1': 0, 'x2': 9, 'y2': 4}},
        {'id': 12, 'category': 'car', 'attributes': {'ignored': True},
         'box2d': {'x1': 3, 'y1': 3, 'x2': 6, 'y2': 6}},
        {'id': 10, 'category': 'drivable area', 'poly2d': [{'vertices': [[0, 0], [5, 5]]}]},
        {'id': 11, 'category': 'lane', 'poly2d': [{'vertices': [[0, 9], [9, 9]]}]}]},
]


def test_bdd100k_det_to_coco_both_flavours_and_the_mixed_set_loader_reads_it(tmp_path):
    tool = _tool('bdd100k_det')
    labels = tmp_path / 'bdd100k' / 'labels' / 'det_20'
    labels.mkdir(parents=True)
    (labels / 'det_val.json').write_text(json.dumps(DET_20))
    out = labels / 'det_val_coco.json'
    report = tool.main(['-i', str(labels / 'det_val.json'), '-o', str(out),
                        '--image-size', '32', '48'])
    assert report['crowd_boxes'] == 2
    coco = json.loads(out.read_text())
    assert [c['name'] for c in coco['categories']] == [
        'pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle', 'bicycle',
        'traffic light', 'traffic sign']
    assert [(im['id'], im['file_name'], im['height'], im['width']) for im in coco['images']] == \
        [(1, 'b1c66a42-6f7d68ca.jpg', 32, 48), (2, 'b1c81faa-3df17267.jpg', 32, 48)]
    # inclusive Scalabel boxes: w = x2 - x1 + 1; 'other vehicle' -> an ignored car
    assert [(a['category_id'], a['bbox'], a['iscrowd']) for a in coco['annotations']] == [
        (3, [4.5, 6.0, 17.0, 12.0], 0), (1, [30.0, 2.0, 6.0, 19.0], 1),
        (3, [1.0, 1.0, 3.0, 3.0], 1), (9, [40.0, 0.0, 5.0, 10.0], 0),
        (2, [10.0, 20.0, 5.0, 10.0], 0)]

    coco18, report18 = bdd100k_det_to_coco(LABELS_2018, 'labels_2018')
    # person, bike, motor -> pedestrian, bicycle, motorcycle; an 'ignored' attribute -> iscrowd
    assert [(a['category_id'], a['scalabel_id'], a['iscrowd']) for a in coco18['annotations']] \
        == [(1, '7', 0), (8, '8', 0), (7, '9', 0), (3, '12', 1)]
    assert report18['no_box2d'] == 2 and coco18['images'][0]['height'] == 720
    bad = [dict(DET_20[0], labels=[dict(DET_20[0]['labels'][0], category='tram')])]
    with pytest.raises(ValueError, match=r"b1c66a42-6f7d68ca\.jpg: label '0': unknown box "
                                         r"category 'tram'"):
        bdd100k_det_to_coco(bad, 'det_val.json')

    # the mixed-set config's BDD100K detection source (val pool) reads the output
    img_dir = tmp_path / 'bdd100k' / 'images' / '100k' / 'val'
    img_dir.mkdir(parents=True)
    for i, frame in enumerate(DET_20):
        (img_dir / frame['name']).write_bytes(_jpeg(32, 48, i))
    init_default_scope('mmmtnas')
    cfg = Config.fromfile(osp.join(DATASET_CONFIGS, 'driving_mixed.py'))
    source = next(d for d in cfg.val_dataloader.det.dataset.dataset.datasets
                  if d.dataset.data_root == cfg.bdd100k_root and 'val' in d.dataset.ann_file)
    source.dataset.data_root = str(tmp_path / 'bdd100k') + '/'
    dataset = DATASETS.build(source)
    assert len(dataset) == 2
    sample = dataset[0]['data_samples']
    # car -> vehicle, rider -> cyclist; the traffic light is dropped by the class table
    np.testing.assert_allclose(sample.gt_instances.bboxes.numpy(),
                               [[4.5, 6.0, 21.5, 18.0], [10.0, 20.0, 15.0, 30.0]])
    assert sample.gt_instances.labels.tolist() == [0, 2]
    assert sample.ignored_instances.labels.tolist() == [1, 0]  # crowd pedestrian, other vehicle


# ----------------------------------------------------------------------------- PASCAL / NYUD

def _tar(path, root, top, rename=None, skip=()):
    """``root``'s files as ``<top>/<rel>`` members (``rename(rel, abs) -> (rel, bytes)``)."""
    with tarfile.open(path, 'w:gz') as tar:
        for dirpath, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                full = osp.join(dirpath, name)
                rel = osp.relpath(full, root).replace(os.sep, '/')
                if rel in skip:
                    continue
                rel, data = rename(rel, full) if rename else (rel, open(full, 'rb').read())
                info = tarfile.TarInfo(f'{top}/{rel}')
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        readme = b'not part of the layout'
        info = tarfile.TarInfo(f'{top}/README.txt')
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))
    return str(path)


def _same_files(a, b):
    files = sorted(osp.relpath(osp.join(d, f), a) for d, _, fs in os.walk(a) for f in fs)
    assert files == sorted(osp.relpath(osp.join(d, f), b) for d, _, fs in os.walk(b) for f in fs)
    for rel in files:
        with open(osp.join(a, rel), 'rb') as fa, open(osp.join(b, rel), 'rb') as fb:
            assert fa.read() == fb.read(), rel


def test_pascal_mt_archive_to_layout_checked_and_loaded(tmp_path):
    src = str(tmp_path / 'src')
    make_toy_pascal_mt(src, num_images=4, seed=0, size=(24, 32))
    archive = _tar(tmp_path / 'PASCAL_MT.tgz', src, 'PASCAL_MT')
    out = str(tmp_path / 'PASCAL_MT')
    report = _tool('pascal_mt').main([archive, '--out', out])
    assert (report['train'], report['val'], report['skipped']) == (3, 1, 1)
    _same_files(src, out)
    # every task but edge, whose decoder imports pyEdgeEval (~4 s); edges read the Context
    # .mat that the normals read too
    dataset = _build('pascal_mt.py', 'val_dataloader', out,
                     tasks=('semseg', 'human_parts', 'sal', 'normals'))
    sample = dataset[0]['data_samples']
    assert sample.gt_semseg.data.shape[-2:] == (512, 512)  # padded as the val pipeline does
    assert sample.gt_normals.data.abs().sum() > 0

    bad = _tar(tmp_path / 'bad.tgz', src, 'PASCAL_MT', skip={'human_parts/2008_000001.mat'})
    with pytest.raises(ArchiveLayoutError,
                       match=r'bad\.tgz: 1 member\(s\) needed by .* missing: '
                             r'PASCAL_MT/human_parts/2008_000001\.mat'):
        convert_pascal_mt(bad, str(tmp_path / 'bad_out'))
    with open(archive, 'rb') as f:
        (tmp_path / 'cut.tgz').write_bytes(f.read()[:-200])
    with pytest.raises(ValueError, match=r'cut\.tgz: truncated or corrupt archive'):
        convert_pascal_mt(str(tmp_path / 'cut.tgz'), str(tmp_path / 'cut_out'))


def _astmt_nyud(rel, full):
    """MTI-Net's member -> ASTMT's (``.mat`` seg/depth, ``.jpg`` normals, ``.png`` edges)."""
    folder, name = rel.split('/', 1)
    stem = osp.splitext(name)[0]
    buf = io.BytesIO()
    if folder == 'segmentation':
        sio.savemat(buf, {'segmentation': np.array(Image.open(full))})
        return f'{folder}/{stem}.mat', buf.getvalue()
    if folder == 'depth':
        sio.savemat(buf, {'depth': np.load(full)})
        return f'{folder}/{stem}.mat', buf.getvalue()
    if folder == 'normals':
        rgb = np.round((np.load(full) + 1) / 2 * 255).astype(np.uint8)
        Image.fromarray(rgb).save(buf, format='JPEG', quality=100)
        return f'{folder}/{stem}.jpg', buf.getvalue()
    if folder == 'edge':
        Image.fromarray((np.load(full) * 255).astype(np.uint8)).save(buf, format='PNG')
        return f'{folder}/{stem}.png', buf.getvalue()
    return rel, open(full, 'rb').read()


def _nyud_sample(root, ids=('2008_000000', '2008_000001', '2008_000002', '2008_000003')):
    """MTI-Net's NYUD_MT layout, random contents (smooth normals, so JPEG keeps them)."""
    rng = np.random.default_rng(0)
    for sub in ('images', 'segmentation', 'depth', 'normals', 'edge', 'gt_sets'):
        os.makedirs(osp.join(root, sub))
    yy, xx = np.mgrid[0:24, 0:32] / 32.0
    for i, img_id in enumerate(ids):
        Image.open(io.BytesIO(_jpeg(24, 32, i))).save(f'{root}/images/{img_id}.jpg')
        Image.fromarray(rng.integers(0, 41, (24, 32), dtype=np.uint8)).save(
            f'{root}/segmentation/{img_id}.png')
        np.save(f'{root}/depth/{img_id}.npy', rng.uniform(0, 10, (24, 32)).astype(np.float32))
        normals = np.stack([xx - 0.5, yy - 0.4, np.ones_like(xx)], -1)
        normals = (normals / np.linalg.norm(normals, axis=-1, keepdims=True)).astype(np.float32)
        np.save(f'{root}/normals/{img_id}.npy', normals)
        np.save(f'{root}/edge/{img_id}.npy', (rng.random((24, 32)) < 0.1).astype(np.float32))
    (Path(root) / 'gt_sets' / 'train.txt').write_text('\n'.join(ids[:3]) + '\n')
    (Path(root) / 'gt_sets' / 'val.txt').write_text(ids[3] + '\n')


def test_nyud_mt_archives_of_both_layouts_to_the_loader_layout(tmp_path):
    src = str(tmp_path / 'src')
    _nyud_sample(src)
    # MTI-Net's archive: copied as is
    out = str(tmp_path / 'mtinet')
    _tool('nyud_mt').main([_tar(tmp_path / 'mtinet.tgz', src, 'NYUD_MT'), '--out', out])
    _same_files(src, out)
    # ASTMT's archive: decoded into the same layout
    out = str(tmp_path / 'NYUD_MT')
    report = convert_nyud_mt(_tar(tmp_path / 'astmt.tgz', src, 'NYUD_MT', _astmt_nyud), out)
    assert (report['train'], report['val']) == (3, 1)
    img_id = '2008_000003'
    assert np.array_equal(np.array(Image.open(f'{out}/segmentation/{img_id}.png')),
                          np.array(Image.open(f'{src}/segmentation/{img_id}.png')))
    for task in ('depth', 'edge'):
        assert np.array_equal(np.load(f'{out}/{task}/{img_id}.npy'),
                              np.load(f'{src}/{task}/{img_id}.npy').astype(np.float32)), task
    normals = np.load(f'{out}/normals/{img_id}.npy')
    assert normals.shape == (24, 32, 3) and normals.dtype == np.float32
    assert np.abs(normals - np.load(f'{src}/normals/{img_id}.npy')).mean() < 0.05  # JPEG loss
    dataset = _build('nyud_mt.py', 'val_dataloader', out)
    sample = dataset[0]['data_samples']
    assert sample.gt_depth.data.shape[-2:] == (425, 560)

    bad = _tar(tmp_path / 'bad.tgz', src, 'NYUD_MT', _astmt_nyud, skip={'edge/2008_000000.npy'})
    with pytest.raises(ArchiveLayoutError, match=r'NYUD_MT/edge/2008_000000\.npy \(or \.png\)'):
        convert_nyud_mt(bad, str(tmp_path / 'bad_out'))
