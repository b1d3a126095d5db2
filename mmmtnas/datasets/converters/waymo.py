"""Waymo Open Dataset (perception, v1.x) front camera -> JPEG files + one COCO JSON per split.

Reads the ``Frame`` protos of the segment TFRecords, either with the ``waymo-open-dataset``
package (``backend='waymo'``: TensorFlow's reader and the generated ``dataset_pb2``) or with
the pure-Python reader of this package (``backend='builtin'``: :mod:`.tfrecord` and
:mod:`.protowire`), which decodes only the fields below. Field numbers as in the dataset's
``dataset.proto`` and ``label.proto``::

    Frame:        context = 1 (Context), timestamp_micros = 2, images = 4 (CameraImage),
                  camera_labels = 8 (CameraLabels)
    Context:      name = 1
    CameraImage:  name = 1 (CameraName.Name, FRONT = 1), image = 2 (JPEG bytes)
    CameraLabels: name = 1, labels = 2 (Label)
    Label:        box = 1 (Box), type = 3 (Label.Type), id = 4
    Box:          center_x = 1, center_y = 2, width = 4, length = 5 (doubles; for camera labels
                  pixels, length along the image x axis, width along y)

Output (the layout ``configs/_base_/datasets/driving_mixed.py`` reads)::

    <out>/images/<split>/<context.name>_<timestamp_micros>_FRONT.jpg   (the JPEG as shipped)
    <out>/annotations/front_<split>.json                                (COCO)

COCO category ids are Waymo's ``Label.Type`` values (1 vehicle, 2 pedestrian, 3 sign,
4 cyclist); ``TYPE_UNKNOWN`` boxes are not written (counted). A frame whose FRONT camera has no
``camera_labels`` entry was not labelled and is skipped (counted); an entry with no labels is a
labelled image without objects and is written.
"""
import io
import json
import os
import os.path as osp
from collections import Counter
from typing import Dict, Iterable, Iterator, List, Optional, Sequence

from PIL import Image

from .protowire import I64, LEN, VARINT, WireFormatError, as_double, as_str, iter_fields
from .tfrecord import read_tfrecord

FRONT = 1  # CameraName.Name.FRONT
WAYMO_CATEGORIES = {1: 'vehicle', 2: 'pedestrian', 3: 'sign', 4: 'cyclist'}  # Label.Type
TYPE_UNKNOWN = 0
BACKENDS = ('builtin', 'waymo')
WAYMO_PACKAGE_HINT = ('pip install waymo-open-dataset-tf-2-12-0 (it brings TensorFlow), or use '
                      "backend 'builtin' (pure Python, no dependency)")


def _check(wire: int, expected: int, what: str) -> None:
    if wire != expected:
        raise WireFormatError(f'{what}: wire type {wire}, expected {expected}; not a Waymo '
                              'Open Dataset Frame?')


def _parse_box(data) -> tuple:
    box = dict(cx=0.0, cy=0.0, width=0.0, length=0.0)
    names = {1: 'cx', 2: 'cy', 4: 'width', 5: 'length'}
    for field, wire, value in iter_fields(data):
        if field in names:
            _check(wire, I64, f'Label.Box field {field}')
            box[names[field]] = as_double(value)
    return box['cx'], box['cy'], box['length'], box['width']


def _parse_label(data) -> dict:
    label = dict(box=None, type=TYPE_UNKNOWN, id='')
    for field, wire, value in iter_fields(data):
        if field == 1:
            _check(wire, LEN, 'Label.box')
            label['box'] = _parse_box(value)
        elif field == 3:
            _check(wire, VARINT, 'Label.type')
            label['type'] = value
        elif field == 4:
            _check(wire, LEN, 'Label.id')
            label['id'] = as_str(value)
    return label


def parse_frame(data: bytes, cameras: Sequence[int] = (FRONT,)) -> dict:
    """Decode the fields the converter needs from one serialised ``Frame``.

    Args:
        data (bytes): One TFRecord record of a Waymo segment file.
        cameras (Sequence[int]): ``CameraName.Name`` values whose images and labels to keep.

    Returns:
        dict: ``context_name``, ``timestamp_micros``, ``images`` (camera -> JPEG bytes) and
        ``camera_labels`` (camera -> list of ``dict(box=(cx, cy, length, width), type, id)``;
        a camera is present iff the frame has a ``camera_labels`` entry for it).
    """
    frame = dict(context_name=None, timestamp_micros=None, images={}, camera_labels={})
    for field, wire, value in iter_fields(data):
        if field == 1:
            _check(wire, LEN, 'Frame.context')
            for f, w, v in iter_fields(value):
                if f == 1:
                    _check(w, LEN, 'Context.name')
                    frame['context_name'] = as_str(v)
        elif field == 2:
            _check(wire, VARINT, 'Frame.timestamp_micros')
            frame['timestamp_micros'] = value
        elif field in (4, 8):
            name, payload, labels = None, None, []
            for f, w, v in iter_fields(value):
                if f == 1:
                    _check(w, VARINT, 'camera name')
                    name = v
                elif f == 2:
                    _check(w, LEN, 'CameraImage.image' if field == 4 else 'CameraLabels.labels')
                    if field == 4:
                        payload = v
                    else:
                        labels.append(v)
            if name not in cameras:
                continue
            if field == 4:
                frame['images'][name] = bytes(payload) if payload is not None else b''
            else:
                frame['camera_labels'][name] = [_parse_label(v) for v in labels]
    if frame['context_name'] is None or frame['timestamp_micros'] is None:
        raise WireFormatError('no context.name or timestamp_micros; not a Waymo Open Dataset '
                              'Frame?')
    return frame


def _frames_builtin(path: str, check_crc: bool) -> Iterator[dict]:
    for index, record in enumerate(read_tfrecord(path, check_crc=check_crc)):
        try:
            yield parse_frame(record)
        except WireFormatError as e:
            raise ValueError(f'{path}: record {index}: {e}') from None


def _import_waymo() -> tuple:
    try:
        import tensorflow as tf
        from waymo_open_dataset import dataset_pb2
    except ImportError as e:
        raise ImportError(f"backend 'waymo' needs the waymo-open-dataset package ({e}); "
                          f'{WAYMO_PACKAGE_HINT}') from None
    return tf, dataset_pb2


def frame_from_proto(frame) -> dict:
    """What :func:`parse_frame` returns, from a ``dataset_pb2.Frame`` (the package's class)."""
    return dict(
        context_name=frame.context.name, timestamp_micros=frame.timestamp_micros,
        images={im.name: im.image for im in frame.images if im.name == FRONT},
        camera_labels={
            cl.name: [dict(box=(lb.box.center_x, lb.box.center_y, lb.box.length, lb.box.width),
                           type=lb.type, id=lb.id)
                      for lb in cl.labels]
            for cl in frame.camera_labels if cl.name == FRONT})


def _frames_waymo(path: str) -> Iterator[dict]:
    tf, dataset_pb2 = _import_waymo()
    for record in tf.data.TFRecordDataset(path, compression_type=''):
        yield frame_from_proto(dataset_pb2.Frame.FromString(bytes(record.numpy())))


def read_frames(path: str, backend: str = 'builtin', check_crc: bool = True) -> Iterator[dict]:
    """The frames of one segment file, as :func:`parse_frame` returns them."""
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    if not osp.isfile(path):
        raise FileNotFoundError(f'Waymo segment file not found: {path}')
    return _frames_builtin(path, check_crc) if backend == 'builtin' else _frames_waymo(path)


def _coco_box(box: tuple, width: int, height: int) -> Optional[List[float]]:
    """Centre/length/width -> COCO ``[x, y, w, h]``, clipped to the image; None if empty."""
    cx, cy, length, wid = box
    x1, y1 = max(0.0, cx - length / 2), max(0.0, cy - wid / 2)
    x2, y2 = min(float(width), cx + length / 2), min(float(height), cy + wid / 2)
    if x2 <= x1 or y2 <= y1:
        return None
    return [x1, y1, x2 - x1, y2 - y1]


def convert_waymo_front(segments: Iterable[str], out_dir: str, split: str,
                        backend: str = 'builtin', every: int = 1,
                        check_crc: bool = True) -> Dict[str, object]:
    """Write the FRONT images and boxes of ``segments`` as ``split`` under ``out_dir``.

    Args:
        segments (Iterable[str]): Segment TFRecord files (``segment-*.tfrecord``).
        out_dir (str): Root of the output layout (module docstring).
        split (str): Split name, e.g. ``'train'`` or ``'val'``.
        backend (str): ``'builtin'`` or ``'waymo'`` (the ``waymo-open-dataset`` package).
        every (int): Keep every ``every``-th frame of each segment (frames are 10 Hz).
        check_crc (bool): Check each record's data CRC (builtin backend).

    Returns:
        dict: Counts: ``segments``, ``frames`` (read), ``images`` (written), ``boxes``
        (per category name), ``unlabelled_frames``, ``unknown_type_boxes``, ``empty_boxes``
        (nothing left after clipping), and ``ann_file``.
    """
    if every < 1:
        raise ValueError(f'every must be >= 1, got {every}')
    if backend == 'waymo':
        _import_waymo()  # fail before writing anything
    img_dir = osp.join(out_dir, 'images', split)
    os.makedirs(img_dir, exist_ok=True)
    images, annotations = [], []
    counts = Counter()
    boxes = Counter()
    seen = set()
    for path in segments:
        counts['segments'] += 1
        for index, frame in enumerate(read_frames(path, backend, check_crc)):
            counts['frames'] += 1
            if index % every:
                continue
            where = f'{path}: frame {index} ({frame["context_name"]})'
            if FRONT not in frame['camera_labels']:
                counts['unlabelled_frames'] += 1
                continue
            jpeg = frame['images'].get(FRONT)
            if not jpeg:
                raise ValueError(f'{where}: FRONT camera is labelled but has no image')
            try:
                width, height = Image.open(io.BytesIO(jpeg)).size
            except Exception as e:  # PIL raises several types for undecodable bytes
                raise ValueError(f'{where}: FRONT image is not a readable JPEG ({e})') from None
            name = f'{frame["context_name"]}_{frame["timestamp_micros"]}_FRONT.jpg'
            if name in seen:
                raise ValueError(f'{where}: {name} occurs twice (a segment given twice?)')
            seen.add(name)
            with open(osp.join(img_dir, name), 'wb') as f:
                f.write(jpeg)
            image_id = len(images) + 1
            images.append(dict(id=image_id, file_name=name, height=height, width=width))
            for label in frame['camera_labels'][FRONT]:
                if label['type'] == TYPE_UNKNOWN:
                    counts['unknown_type_boxes'] += 1
                    continue
                if label['type'] not in WAYMO_CATEGORIES:
                    raise ValueError(f'{where}: label {label["id"]!r} has type {label["type"]}, '
                                     f'expected one of {sorted(WAYMO_CATEGORIES)} (Label.Type)')
                bbox = _coco_box(label['box'], width, height) if label['box'] else None
                if bbox is None:
                    counts['empty_boxes'] += 1
                    continue
                boxes[WAYMO_CATEGORIES[label['type']]] += 1
                annotations.append(dict(
                    id=len(annotations) + 1, image_id=image_id, category_id=label['type'],
                    bbox=bbox, area=bbox[2] * bbox[3], iscrowd=0, ignore=0,
                    waymo_id=label['id']))
    coco = dict(images=images, annotations=annotations,
                categories=[dict(id=i, name=n, supercategory='none')
                            for i, n in WAYMO_CATEGORIES.items()])
    ann_file = osp.join(out_dir, 'annotations', f'front_{split}.json')
    write_json(ann_file, coco)
    return dict(segments=counts['segments'], frames=counts['frames'], images=len(images),
                boxes=dict(boxes), unlabelled_frames=counts['unlabelled_frames'],
                unknown_type_boxes=counts['unknown_type_boxes'],
                empty_boxes=counts['empty_boxes'], ann_file=ann_file)


def write_json(path: str, obj: dict) -> None:
    """Write ``obj`` to ``path`` through a temporary file (never a half-written file)."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(obj, f)
    os.replace(tmp, path)
