"""Procedurally drawn driving scenes with exact ground truth.

One scene is a road seen from a car: sky, a skyline of buildings, vegetation, terrain, sidewalks,
a road with lane marks, poles carrying traffic signs and lights, and cars, trucks, buses,
pedestrians and cyclists standing on the ground plane. Everything is drawn with a pinhole
camera over a flat ground (camera 1.6 m above the road), so an object's pixel size follows from
where it stands, and objects are painted far to near, so near objects occlude far ones.

Every pixel gets a Cityscapes trainId (255 = ignore, used for the ego-car bonnet) and an instance
id; the 2D box of an object is the tight box of its *visible* pixels, so boxes always agree with
the masks. The toy dataset writer (:mod:`.toy_driving`) turns scenes into the real on-disk
formats.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

# Cityscapes trainIds (the 19 evaluation classes, in mmseg's CityscapesDataset order).
CITYSCAPES_CLASSES = ('road', 'sidewalk', 'building', 'wall', 'fence', 'pole', 'traffic light',
                      'traffic sign', 'vegetation', 'terrain', 'sky', 'person', 'rider', 'car',
                      'truck', 'bus', 'train', 'motorcycle', 'bicycle')
TRAIN_ID = {name: i for i, name in enumerate(CITYSCAPES_CLASSES)}
IGNORE_INDEX = 255

# Object classes a scene can hold (named like their Cityscapes class); cyclists are a 'rider'
# plus a 'bicycle' (or 'motorcycle') sharing one ``group``.
THING_CLASSES = ('car', 'truck', 'bus', 'person', 'rider', 'bicycle', 'motorcycle',
                 'traffic sign', 'traffic light')

CAMERA_HEIGHT = 1.6  # metres; the ground row of a point at depth z is horizon + f * h_cam / z


@dataclass
class SceneObject:
    """One object instance of a scene.

    Attributes:
        cls (str): Class name (one of :data:`THING_CLASSES`).
        instance_id (int): Id of the object in :attr:`Scene.instance_map` (>= 1).
        bbox (tuple): Tight box ``(x1, y1, x2, y2)`` of the visible pixels, in pixel-edge
            coordinates (a single pixel at column 3 spans x1=3, x2=4).
        full_bbox (tuple): Box of the whole object as drawn, before clipping to the image and
            before occlusion, same convention (may extend outside the image).
        visible_pixels (int): Number of pixels of the object left visible.
        drawn_pixels (int): Number of pixels of the object inside the image before occlusion.
        depth (float): Distance along the optical axis, metres.
        lateral (float): Lateral position ``X`` in the camera frame, metres (right positive).
        dims (tuple): Physical ``(height, width, length)``, metres.
        rotation_y (float): Yaw around the camera's Y axis, radians in ``[-pi, pi]``.
        group (int): Objects of one cyclist (rider + bicycle/motorcycle) share a group id;
            otherwise equal to ``instance_id``.
        truncation (float): Fraction of ``full_bbox`` outside the image (KITTI ``truncated``).
    """
    cls: str
    instance_id: int
    bbox: Tuple[float, float, float, float]
    full_bbox: Tuple[float, float, float, float]
    visible_pixels: int
    drawn_pixels: int
    depth: float
    lateral: float
    dims: Tuple[float, float, float]
    rotation_y: float
    group: int
    truncation: float

    @property
    def visible_fraction(self) -> float:
        """Visible share of the object's in-image pixels (0 when nothing was drawn)."""
        return self.visible_pixels / self.drawn_pixels if self.drawn_pixels else 0.0


@dataclass
class Scene:
    """A drawn scene: image, Cityscapes trainId map, instance map and objects.

    Attributes:
        image (np.ndarray): ``(H, W, 3)`` uint8, BGR (OpenCV order, as written to disk).
        label (np.ndarray): ``(H, W)`` uint8 Cityscapes trainIds, 255 = ignore.
        instance_map (np.ndarray): ``(H, W)`` int32, 0 = stuff, else ``SceneObject.instance_id``.
        objects (list[SceneObject]): Objects with at least one visible pixel.
    """
    image: np.ndarray
    label: np.ndarray
    instance_map: np.ndarray
    objects: List[SceneObject] = field(default_factory=list)


class _Canvas:
    """Paints shapes into the image, the label map and the instance map at once."""

    def __init__(self, height: int, width: int) -> None:
        self.h, self.w = height, width
        self.image = np.zeros((height, width, 3), np.uint8)
        self.label = np.full((height, width), IGNORE_INDEX, np.uint8)
        self.inst = np.zeros((height, width), np.int32)
        self._mask = np.zeros((height, width), np.uint8)

    def paint(self, draw, color, label: int, inst: int = 0,
              object_mask: Optional[np.ndarray] = None) -> None:
        """Rasterise one shape and write it into all maps.

        Args:
            draw (callable): ``draw(mask)`` draws the shape with value 1 into a uint8 mask.
            color (tuple): BGR colour.
            label (int): TrainId written under the shape.
            inst (int): Instance id written under the shape (0 for stuff).
            object_mask (np.ndarray, optional): Accumulates the object's full drawn area.
        """
        self._mask[:] = 0
        draw(self._mask)
        m = self._mask.astype(bool)
        self.image[m] = color
        self.label[m] = label
        self.inst[m] = inst
        if object_mask is not None:
            object_mask |= m


def _pts(points) -> List[np.ndarray]:
    return [np.round(np.asarray(points, np.float64)).astype(np.int32)]


def _poly(points):
    return lambda m: cv2.fillPoly(m, _pts(points), 1)


def _rect(x1, y1, x2, y2):
    # Half-open pixel box [x1, x2) x [y1, y2), as a polygon so it works out of bounds too.
    x1, y1, x2, y2 = (int(round(v)) for v in (x1, y1, x2, y2))
    if x2 <= x1 or y2 <= y1:
        return lambda m: None
    return lambda m: cv2.fillPoly(
        m, [np.array([[x1, y1], [x2 - 1, y1], [x2 - 1, y2 - 1], [x1, y2 - 1]], np.int32)], 1)


def _ellipse(cx, cy, ax, ay):
    return lambda m: cv2.ellipse(m, (int(round(cx)), int(round(cy))),
                                 (max(int(round(ax)), 1), max(int(round(ay)), 1)),
                                 0, 0, 360, 1, -1)


def _circle(cx, cy, r, thickness=-1):
    return lambda m: cv2.circle(m, (int(round(cx)), int(round(cy))), max(int(round(r)), 1), 1,
                                thickness)


def _line(p, q, thickness):
    return lambda m: cv2.line(m, tuple(int(round(v)) for v in p), tuple(int(round(v)) for v in q),
                              1, max(int(round(thickness)), 1))


def _jitter(rng: np.random.Generator, color, amount: int = 18) -> Tuple[int, int, int]:
    c = np.asarray(color, np.int64) + rng.integers(-amount, amount + 1, 3)
    return tuple(int(v) for v in np.clip(c, 0, 255))


class _Camera:
    """Pinhole camera over a flat ground plane."""

    def __init__(self, height: int, width: int, horizon: float) -> None:
        self.f = 0.8 * width
        self.cx = width / 2.0
        self.horizon = horizon

    def ground_row(self, depth: float) -> float:
        return self.horizon + self.f * CAMERA_HEIGHT / depth

    def column(self, lateral: float, depth: float) -> float:
        return self.cx + self.f * lateral / depth

    def size(self, metres: float, depth: float) -> float:
        return self.f * metres / depth


# Physical sizes (height, width, length) in metres, jittered per object.
_DIMS = {
    'car': (1.5, 1.75, 4.2), 'truck': (3.0, 2.4, 7.0), 'bus': (3.2, 2.5, 11.0),
    'person': (1.75, 0.6, 0.5), 'rider': (1.75, 0.6, 1.8), 'traffic sign': (0.7, 0.7, 0.1),
    'traffic light': (0.9, 0.35, 0.3), 'bicycle': (1.0, 0.5, 1.8), 'motorcycle': (1.2, 0.7, 2.0),
}
_VEHICLE_COLORS = [(40, 40, 200), (200, 60, 30), (230, 230, 230), (30, 30, 30), (60, 150, 60),
                   (0, 190, 230), (150, 150, 150), (120, 60, 150)]


def draw_scene(rng: np.random.Generator, height: int, width: int,
               style: Optional[Dict[str, float]] = None,
               max_objects: int = 10) -> Scene:
    """Draw one random driving scene.

    Args:
        rng (np.random.Generator): Source of all randomness (the scene is a pure function of
            its state).
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        style (dict, optional): Per-dataset look: ``brightness`` (multiplier) and ``tint``
            (BGR offsets), so that sources of a mixed set differ a little as real ones do.
        max_objects (int): Upper bound on vehicles + people + cyclists.

    Returns:
        Scene: image, trainId map, instance map and visible objects.
    """
    style = style or {}
    cv = _Canvas(height, width)
    horizon = height * rng.uniform(0.36, 0.5)
    cam = _Camera(height, width, horizon)
    road_half = rng.uniform(4.0, 7.5)
    walk = rng.uniform(2.0, 3.5)
    far, near = 80.0, 0.6  # ground polygons run from far to (behind) the camera
    yh = int(np.ceil(horizon))

    # Sky gradient and the ground, first as terrain.
    sky_top, sky_bot = np.array(_jitter(rng, (200, 140, 90), 25)), np.array(
        _jitter(rng, (235, 205, 180), 15))
    t = np.linspace(0, 1, max(yh, 1))[:, None, None]
    cv.image[:yh] = (sky_top * (1 - t) + sky_bot * t).astype(np.uint8)
    cv.label[:yh] = TRAIN_ID['sky']
    cv.paint(_rect(0, yh, width, height), _jitter(rng, (60, 120, 110)), TRAIN_ID['terrain'])

    # Skyline: buildings standing at the far side of the sidewalks, trees in front.
    def side_x(lateral, depth):
        return cam.column(lateral, depth)

    x = -rng.uniform(0, 10)
    while x < width:
        bw = rng.uniform(0.12, 0.3) * width
        top = horizon - rng.uniform(0.15, 0.45) * height
        near_road = abs((x + bw / 2) - cam.cx) < 0.12 * width
        if not near_road:
            base = _jitter(rng, (90, 100, 120), 35)
            cv.paint(_rect(x, top, x + bw, yh + 2), base, TRAIN_ID['building'])
            win = tuple(int(v * 0.55) for v in base)
            for wy in np.arange(top + 3, horizon - 3, max(height * 0.06, 4)):
                for wx in np.arange(x + 3, x + bw - 4, max(width * 0.035, 5)):
                    cv.paint(_rect(wx, wy, wx + max(width * 0.015, 2), wy + max(height * 0.025, 2)),
                             win, TRAIN_ID['building'])
        x += bw
    # Sidewalks and terrain verges in perspective, then the road.
    for sgn in (-1, 1):
        inner, outer = sgn * road_half, sgn * (road_half + walk)
        cv.paint(_poly([(side_x(inner, far), cam.ground_row(far)),
                        (side_x(outer, far), cam.ground_row(far)),
                        (side_x(outer, near), cam.ground_row(near)),
                        (side_x(inner, near), cam.ground_row(near))]),
                 _jitter(rng, (170, 160, 175), 12), TRAIN_ID['sidewalk'])
        if rng.random() < 0.35:  # a wall or fence along the outer edge of the sidewalk
            cls = 'wall' if rng.random() < 0.5 else 'fence'
            hgt = 1.2 if cls == 'wall' else 1.0
            d0, d1 = rng.uniform(6, 15), rng.uniform(25, 60)
            pts = [(side_x(outer, d0), cam.ground_row(d0)),
                   (side_x(outer, d1), cam.ground_row(d1)),
                   (side_x(outer, d1), cam.ground_row(d1) - cam.size(hgt, d1)),
                   (side_x(outer, d0), cam.ground_row(d0) - cam.size(hgt, d0))]
            cv.paint(_poly(pts), _jitter(rng, (140, 150, 160) if cls == 'wall' else
                                         (110, 130, 150)), TRAIN_ID[cls])
        for _ in range(rng.integers(0, 3)):  # trees behind the sidewalk
            d = rng.uniform(8, 45)
            lat = outer + sgn * rng.uniform(0.5, 2.5)
            cxp, gy = side_x(lat, d), cam.ground_row(d)
            r = cam.size(rng.uniform(1.5, 2.8), d)
            cv.paint(_rect(cxp - cam.size(0.15, d), gy - cam.size(2.5, d), cxp + cam.size(0.15, d),
                           gy), (40, 60, 90), TRAIN_ID['vegetation'])
            cv.paint(_ellipse(cxp, gy - cam.size(3.2, d), r, r * 0.9),
                     _jitter(rng, (50, 130, 60), 25), TRAIN_ID['vegetation'])
    cv.paint(_poly([(side_x(-road_half, far), cam.ground_row(far)),
                    (side_x(road_half, far), cam.ground_row(far)),
                    (side_x(road_half, near), cam.ground_row(near)),
                    (side_x(-road_half, near), cam.ground_row(near))]),
             _jitter(rng, (100, 100, 100), 15), TRAIN_ID['road'])
    for lane in (-road_half / 3, road_half / 3):  # dashed lane marks stay 'road'
        for d in np.arange(4.0, 60.0, 6.0):
            cv.paint(_poly([(side_x(lane - 0.08, d), cam.ground_row(d)),
                            (side_x(lane + 0.08, d), cam.ground_row(d)),
                            (side_x(lane + 0.08, d + 2.5), cam.ground_row(d + 2.5)),
                            (side_x(lane - 0.08, d + 2.5), cam.ground_row(d + 2.5))]),
                     (235, 235, 235), TRAIN_ID['road'])

    # Things: sample, sort far to near, paint with instance ids.
    plans = []
    for _ in range(rng.integers(1, 4)):  # poles with a sign or a light
        sgn = rng.choice([-1, 1])
        plans.append(('pole', rng.uniform(5, 40), sgn * (road_half + rng.uniform(0.3, walk))))
    n_things = int(rng.integers(2, max_objects + 1))
    for _ in range(n_things):
        kind = str(rng.choice(['car', 'truck', 'bus', 'person', 'cyclist'],
                              p=[0.45, 0.08, 0.07, 0.25, 0.15]))
        d = rng.uniform(4.5, 45)
        if kind in ('car', 'truck', 'bus'):
            d = rng.uniform(7.0, 45)  # a bus at 4 m would fill the frame
            lat = rng.uniform(-road_half + 1.0, road_half - 1.0)
        elif kind == 'person':
            lat = rng.choice([-1, 1]) * (road_half + rng.uniform(0.3, walk - 0.2))
            if rng.random() < 0.2:  # crossing the road
                lat = rng.uniform(-road_half, road_half)
        else:
            lat = rng.choice([-1, 1]) * (road_half - rng.uniform(0.5, 1.5))
        plans.append((kind, d, lat))
    plans.sort(key=lambda p: -p[1])

    objects: List[SceneObject] = []
    drawn: Dict[int, np.ndarray] = {}
    next_id = 1

    def new_object(cls, d, lat, dims, ry, group=None):
        nonlocal next_id
        oid = next_id
        next_id += 1
        drawn[oid] = np.zeros((height, width), bool)
        meta = dict(cls=cls, instance_id=oid, depth=float(d), lateral=float(lat),
                    dims=tuple(float(v) for v in dims), rotation_y=float(ry),
                    group=oid if group is None else group)
        objects.append(meta)
        return oid

    def dims_of(cls):
        return tuple(v * rng.uniform(0.9, 1.1) for v in _DIMS[cls])

    for kind, d, lat in plans:
        gy, cxp = cam.ground_row(d), cam.column(lat, d)
        if kind == 'pole':
            pole_h = rng.uniform(3.0, 4.5)
            pw = max(cam.size(0.12, d), 1.0)
            cv.paint(_rect(cxp - pw / 2, gy - cam.size(pole_h, d), cxp + pw / 2, gy),
                     (120, 120, 120), TRAIN_ID['pole'])
            cls = 'traffic sign' if rng.random() < 0.65 else 'traffic light'
            hgt, wid, lng = dims_of(cls)
            oid = new_object(cls, d, lat, (hgt, wid, lng), 0.0)
            top = gy - cam.size(pole_h, d)
            sx, sy = cam.size(wid, d) / 2, cam.size(hgt, d) / 2
            if cls == 'traffic sign':
                face = [(200, 40, 30), (30, 30, 210), (30, 200, 230)][int(rng.integers(0, 3))]
                if rng.random() < 0.5:
                    cv.paint(_circle(cxp, top, max(sx, sy)), face, TRAIN_ID[cls], oid, drawn[oid])
                    cv.paint(_circle(cxp, top, max(sx, sy) * 0.6), (240, 240, 240),
                             TRAIN_ID[cls], oid, drawn[oid])
                else:
                    cv.paint(_poly([(cxp, top - sy), (cxp + sx, top + sy), (cxp - sx, top + sy)]),
                             face, TRAIN_ID[cls], oid, drawn[oid])
            else:
                cv.paint(_rect(cxp - sx, top - sy, cxp + sx, top + sy), (30, 30, 30),
                         TRAIN_ID[cls], oid, drawn[oid])
                lamp = [(40, 40, 230), (40, 200, 230), (60, 210, 60)][int(rng.integers(0, 3))]
                cv.paint(_circle(cxp, top, sx * 0.6), lamp, TRAIN_ID[cls], oid, drawn[oid])
            continue
        if kind in ('car', 'truck', 'bus'):
            hgt, wid, lng = dims_of(kind)
            side = rng.random() < 0.25  # seen from the side (crossing) or from behind
            ry = float(rng.choice([0.0, np.pi]) if side else rng.choice([-np.pi / 2, np.pi / 2]))
            ry += float(rng.uniform(-0.15, 0.15))
            extent = lng if side else wid
            half, top = cam.size(extent, d) / 2, gy - cam.size(hgt, d)
            oid = new_object(kind, d, lat, (hgt, wid, lng), ry)
            body = _jitter(rng, _VEHICLE_COLORS[int(rng.integers(0, len(_VEHICLE_COLORS)))], 15)
            if kind == 'bus':
                body = _jitter(rng, (30, 160, 220), 20)
            cab = top + (gy - top) * (0.35 if kind == 'car' else 0.15)
            inset = half * (0.15 if kind == 'car' else 0.0)
            cv.paint(_poly([(cxp - half + inset, top), (cxp + half - inset, top),
                            (cxp + half, cab), (cxp + half, gy - cam.size(0.25, d)),
                            (cxp - half, gy - cam.size(0.25, d)), (cxp - half, cab)]),
                     body, TRAIN_ID[kind], oid, drawn[oid])
            win_y2 = cab + (gy - cab) * (0.05 if kind == 'car' else 0.25)
            cv.paint(_rect(cxp - half * 0.75, top + (gy - top) * 0.08, cxp + half * 0.75, win_y2),
                     (70, 50, 40), TRAIN_ID[kind], oid, drawn[oid])
            wr = cam.size(0.33, d)
            for wx in (cxp - half * 0.7, cxp + half * 0.7):
                cv.paint(_rect(wx - wr, gy - 2 * wr, wx + wr, gy), (20, 20, 20),
                         TRAIN_ID[kind], oid, drawn[oid])
            continue
        if kind == 'person':
            hgt, wid, lng = dims_of('person')
            oid = new_object('person', d, lat, (hgt, wid, lng), float(rng.uniform(-np.pi, np.pi)))
            _draw_person(cv, rng, cam, cxp, gy, d, hgt, TRAIN_ID['person'], oid, drawn[oid])
            continue
        # cyclist: a bicycle (or motorcycle) and its rider, one group
        bike = 'bicycle' if rng.random() < 0.75 else 'motorcycle'
        bh, bw_, bl = dims_of(bike)
        ry = float(rng.choice([0.0, np.pi]) + rng.uniform(-0.2, 0.2))
        bid = new_object(bike, d, lat, (bh, bw_, bl), ry)
        r = cam.size(0.33, d)
        half = cam.size(bl, d) / 2
        col = (30, 30, 30) if bike == 'bicycle' else _jitter(rng, (40, 40, 160), 20)
        for wx in (cxp - half + r, cxp + half - r):
            cv.paint(_circle(wx, gy - r, r, max(int(r * 0.35), 1)), (25, 25, 25),
                     TRAIN_ID[bike], bid, drawn[bid])
        cv.paint(_line((cxp - half + r, gy - r), (cxp, gy - cam.size(bh * 0.85, d)),
                       max(r * 0.3, 1)), col, TRAIN_ID[bike], bid, drawn[bid])
        cv.paint(_line((cxp, gy - cam.size(bh * 0.85, d)), (cxp + half - r, gy - r),
                       max(r * 0.3, 1)), col, TRAIN_ID[bike], bid, drawn[bid])
        rh, rw, rl = dims_of('rider')
        rid = new_object('rider', d, lat, (rh, rw, rl), ry, group=bid)
        _draw_person(cv, rng, cam, cxp, gy - cam.size(0.55, d), d, rh - 0.55,
                     TRAIN_ID['rider'], rid, drawn[rid])

    # Ego-car bonnet at the bottom: ignore (as Cityscapes' 'ego vehicle').
    if rng.random() < 0.5:
        bh = height * rng.uniform(0.04, 0.08)
        cv.paint(_ellipse(width / 2, height + bh * 0.3, width * 0.55, bh * 1.3), (25, 25, 30),
                 IGNORE_INDEX)
        cv.inst[cv.label == IGNORE_INDEX] = 0

    # Photometric style of the source, then sensor noise.
    img = cv.image.astype(np.float64) * style.get('brightness', 1.0)
    img += np.asarray(style.get('tint', (0, 0, 0)), np.float64)
    img += rng.normal(0, 3.0, img.shape)
    image = np.clip(np.round(img), 0, 255).astype(np.uint8)

    kept: List[SceneObject] = []
    for meta in objects:
        oid = meta['instance_id']
        vis = cv.inst == oid
        n_vis = int(vis.sum())
        if n_vis == 0:
            continue
        ys, xs = np.nonzero(vis)
        full_bbox = _full_box(meta, cam)
        kept.append(SceneObject(
            bbox=(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)),
            full_bbox=full_bbox, visible_pixels=n_vis, drawn_pixels=int(drawn[oid].sum()),
            truncation=_truncation(full_bbox, width, height), **meta))
    return Scene(image=image, label=cv.label, instance_map=cv.inst, objects=kept)


def _draw_person(cv: _Canvas, rng, cam: _Camera, cxp: float, gy: float, d: float, hgt: float,
                 label: int, oid: int, mask: np.ndarray) -> None:
    """Head, torso and legs of a standing person (or a rider) whose feet are at row ``gy``."""
    ph = cam.size(hgt, d)
    pw = max(cam.size(0.5, d), 2.0)
    head_r = max(ph * 0.09, 1.0)
    leg_top = gy - ph * 0.47
    cv.paint(_rect(cxp - pw * 0.4, leg_top, cxp + pw * 0.4, gy), _jitter(rng, (60, 40, 30)),
             label, oid, mask)
    cv.paint(_rect(cxp - pw / 2, gy - ph * 0.82, cxp + pw / 2, leg_top + 1),
             _jitter(rng, tuple(int(v) for v in rng.integers(40, 220, 3)), 0), label, oid, mask)
    cv.paint(_circle(cxp, gy - ph + head_r, head_r), _jitter(rng, (120, 160, 210), 25),
             label, oid, mask)


def _full_box(meta: dict, cam: _Camera) -> Tuple[float, float, float, float]:
    """Unclipped box of the object from its geometry (used for KITTI truncation)."""
    cls, d, lat = meta['cls'], meta['depth'], meta['lateral']
    hgt, wid, lng = meta['dims']
    side = abs(np.cos(meta['rotation_y'])) > 0.7  # ry near 0/pi: we see the long side
    extent = {'person': 0.5, 'rider': 0.5, 'traffic sign': wid, 'traffic light': wid,
              'bicycle': lng, 'motorcycle': lng}.get(cls, lng if side else wid)
    cx = cam.column(lat, d)
    gy = cam.ground_row(d)
    half = cam.size(extent, d) / 2
    if cls in ('traffic sign', 'traffic light'):
        return (cx - half, gy - cam.size(5.0, d), cx + half, gy)  # bounded above by pole height
    return (cx - half, gy - cam.size(hgt, d), cx + half, gy)


def _truncation(box, width: int, height: int) -> float:
    x1, y1, x2, y2 = box
    area = max(x2 - x1, 1e-6) * max(y2 - y1, 1e-6)
    iw = max(0.0, min(x2, width) - max(x1, 0.0))
    ih = max(0.0, min(y2, height) - max(y1, 0.0))
    return float(np.clip(1.0 - iw * ih / area, 0.0, 1.0))
