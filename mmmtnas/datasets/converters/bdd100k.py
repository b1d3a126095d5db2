"""BDD100K detection labels (Scalabel JSON) -> COCO, as the bdd100k toolkit's ``to_coco -m det``.

Input: the official label file, a list of frames::

    [{"name": "b1c66a42-6f7d68ca.jpg", "attributes": {...}, "timestamp": 10000,
      "labels": [{"id": "0", "category": "car", "attributes": {"occluded": false, ...},
                  "box2d": {"x1": 45.2, "y1": 254.5, "x2": 357.8, "y2": 487.9}}, ...]}, ...]

in either flavour: the 2020 ``det_20/det_{train,val}.json`` (categories ``pedestrian, rider,
car, truck, bus, train, motorcycle, bicycle, traffic light, traffic sign`` plus ``other
person, other vehicle, trailer``; a ``crowd`` attribute) or the 2018
``bdd100k_labels_images_{train,val}.json`` (``person, bike, motor`` for pedestrian, bicycle,
motorcycle; lane and drivable-area labels without ``box2d``).

Output, as the toolkit writes it (``bdd100k/configs/det.toml`` + ``scalabel.label.to_coco``):
categories 1..10 in the order above; the 2018 names mapped (``bike, caravan, motor, person,
van`` -> ``bicycle, car, motorcycle, pedestrian, car``); ``other person, other vehicle,
trailer`` kept as crowd (ignored) boxes of ``pedestrian, car, truck``, as are boxes with a
``crowd`` or ``ignored`` attribute; every image ``720 x 1280``;
``bbox = [x1, y1, x2 - x1 + 1, y2 - y1 + 1]`` (Scalabel's boxes are inclusive pixel
coordinates). Labels without ``box2d`` are skipped.
"""
from collections import Counter
from typing import Dict, List, Tuple

BDD100K_DET_CLASSES = ('pedestrian', 'rider', 'car', 'truck', 'bus', 'train', 'motorcycle',
                       'bicycle', 'traffic light', 'traffic sign')
NAME_MAPPING = {'bike': 'bicycle', 'caravan': 'car', 'motor': 'motorcycle',
                'person': 'pedestrian', 'van': 'car'}
IGNORED_MAPPING = {'other person': 'pedestrian', 'other vehicle': 'car', 'trailer': 'truck'}
IMAGE_SIZE = (720, 1280)  # (height, width) of every BDD100K image


def _number(box: dict, key: str, where: str) -> float:
    value = box.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f'{where}: box2d.{key} must be a number, got {value!r}')
    return float(value)


def bdd100k_det_to_coco(frames: List[dict], source: str = '<labels>',
                        image_size: Tuple[int, int] = IMAGE_SIZE) -> Tuple[dict, dict]:
    """Convert the frames of a BDD100K detection label file to a COCO dict.

    Args:
        frames (list[dict]): The parsed label file.
        source (str): The file, for error messages.
        image_size (tuple[int, int]): ``(height, width)`` written for every image.

    Returns:
        tuple[dict, dict]: The COCO dict, and counts: ``images``, ``boxes`` (per category),
        ``crowd_boxes``, ``no_box2d`` (labels skipped).

    Raises:
        ValueError: Not a list of frames, a frame without ``name``, a malformed ``box2d``, or a
            box category the toolkit does not know (naming the file, frame and category).
    """
    if not isinstance(frames, list):
        raise ValueError(f'{source}: expected a JSON list of frames (BDD100K detection labels), '
                         f'got {type(frames).__name__}')
    cat_id = {name: i + 1 for i, name in enumerate(BDD100K_DET_CLASSES)}
    height, width = image_size
    images, annotations = [], []
    boxes, counts = Counter(), Counter()
    for index, frame in enumerate(frames):
        if not isinstance(frame, dict) or not isinstance(frame.get('name'), str):
            raise ValueError(f'{source}: frame {index} has no "name" (expected {{"name": '
                             f'"<image>.jpg", "labels": [...]}})')
        image_id = index + 1
        images.append(dict(file_name=frame['name'], height=height, width=width, id=image_id))
        for label in frame.get('labels') or []:
            where = f'{source}: {frame["name"]}: label {label.get("id")!r}'
            box = label.get('box2d')
            if box is None:
                counts['no_box2d'] += 1
                continue
            category = NAME_MAPPING.get(label.get('category'), label.get('category'))
            attributes = label.get('attributes') or {}
            crowd = bool(attributes.get('crowd', False) or attributes.get('ignored', False))
            if category in IGNORED_MAPPING:
                category, crowd = IGNORED_MAPPING[category], True
            if category not in cat_id:
                known = sorted(set(BDD100K_DET_CLASSES) | set(NAME_MAPPING) |
                               set(IGNORED_MAPPING))
                raise ValueError(f'{where}: unknown box category {label.get("category")!r}; '
                                 f'the bdd100k toolkit knows {known}')
            if not isinstance(box, dict):
                raise ValueError(f'{where}: box2d must be {{x1, y1, x2, y2}}, got {box!r}')
            x1, y1, x2, y2 = (_number(box, k, where) for k in ('x1', 'y1', 'x2', 'y2'))
            if x2 < x1 or y2 < y1:
                raise ValueError(f'{where}: box2d has x2 < x1 or y2 < y1: {box}')
            w, h = x2 - x1 + 1, y2 - y1 + 1
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id, category_id=cat_id[category],
                scalabel_id=str(label.get('id', '')), iscrowd=int(crowd), ignore=0,
                bbox=[x1, y1, w, h], area=w * h))
            boxes[category] += 1
            counts['crowd_boxes'] += crowd
    coco = dict(type='instance',
                categories=[dict(id=i, name=n) for n, i in cat_id.items()],
                images=images, annotations=annotations)
    report: Dict[str, object] = dict(images=len(images), boxes=dict(boxes),
                                     crowd_boxes=counts['crowd_boxes'],
                                     no_box2d=counts['no_box2d'])
    return coco, report
