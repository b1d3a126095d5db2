"""MultiTaskInferencer on a folder of toy images: boxes, mask and dense maps per image, the
pictures (checked pixel by pixel) and the saved predictions."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmdet.visualization.palette import get_palette
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import save_checkpoint
from mmseg.datasets import CityscapesDataset

from mmmtnas.apis import MultiTaskInferencer
from mmmtnas.registry import MODELS
from mmmtnas.testing import draw_scene
from mmmtnas.testing.toy_dense import make_toy_pascal_mt

from repo_paths import REPO_ROOT

DRIVING_CONFIG = osp.join(REPO_ROOT, 'configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py')
DENSE_CONFIG = osp.join(REPO_ROOT, 'configs/bmtas/toy_mnv2_pascal_shared.py')


def _checkpoint(cfg: Config, path: str) -> str:
    """A freshly built (random) model of ``cfg`` saved as a checkpoint."""
    init_default_scope('mmmtnas')
    torch.manual_seed(0)  # the same random predictions every run
    save_checkpoint({'state_dict': MODELS.build(cfg.model).state_dict(), 'meta': {}}, path)
    return path


def _rgb(path):
    """RGB pixels as the visualizer read them (OpenCV's JPEG decoder, not PIL's)."""
    return cv2.imread(str(path), cv2.IMREAD_COLOR)[..., ::-1]


def merged_seg_palette(cfg):
    """The Cityscapes colour of the first source class merged into each segmentation class."""
    source = CityscapesDataset.METAINFO
    return [source['palette'][[cfg.seg_map[c] for c in source['classes']].index(target)]
            for target in cfg.seg_classes]


@pytest.fixture(scope='module')
def driving(tmp_path_factory):
    root = tmp_path_factory.mktemp('infer_driving')
    folder = root / 'images'
    folder.mkdir()
    for i in range(2):  # two toy driving scenes, as the toy data writer draws them
        scene = draw_scene(np.random.default_rng([2, i]), 128, 256)
        cv2.imwrite(str(folder / f'scene_{i}.jpg'), scene.image)
    cfg = Config.fromfile(DRIVING_CONFIG)
    cfg.model.det_head.test_cfg.max_per_img = 3
    cfg.visualizer.det_alpha = 1.0  # opaque boxes: their pixels are the palette colour
    ckpt = _checkpoint(cfg, str(root / 'toy.pth'))
    inferencer = MultiTaskInferencer(cfg, ckpt, device='cpu')
    out = inferencer(str(folder), out_dir=str(root / 'out'), pred_score_thr=0.)
    return dict(root=root, folder=folder, cfg=cfg, out=out)


def test_folder_gives_boxes_and_mask_per_image(driving):
    preds = driving['out']['predictions']
    images = sorted(glob.glob(str(driving['folder'] / '*.jpg')))
    assert len(preds) == 2 and [p['img_path'] for p in preds] == images
    for pred, path in zip(preds, images):
        h, w = _rgb(path).shape[:2]
        boxes = np.asarray(pred['bboxes'])
        assert boxes.shape == (3, 4) and len(pred['labels']) == len(pred['scores']) == 3
        assert set(pred['labels']) <= set(range(4))  # the 4 merged detection classes
        assert pred['sem_seg'].shape == (h, w)  # back at the image's own size
        assert 0 <= pred['sem_seg'].min() and pred['sem_seg'].max() < 16
        stem = osp.splitext(osp.basename(path))[0]
        saved = json.load(open(driving['root'] / 'out' / 'preds' / f'{stem}.json'))
        np.testing.assert_allclose(saved['bboxes'], pred['bboxes'], rtol=1e-6)
        label_map = cv2.imread(str(driving['root'] / 'out' / 'preds' / saved['maps']['sem_seg']),
                               cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(label_map, pred['sem_seg'])


def test_pictures_show_each_box_edge_in_its_class_colour_over_the_mask(driving):
    palette = [tuple(c) for c in driving['cfg'].det_palette]
    for pred in driving['out']['predictions']:
        stem = osp.splitext(osp.basename(pred['img_path']))[0]
        out = _rgb(driving['root'] / 'out' / 'vis' / f'{stem}.png')
        inp = _rgb(pred['img_path'])
        assert out.shape == inp.shape
        h, w = inp.shape[:2]
        on_edge = []
        for (x1, y1, x2, y2), label in zip(pred['bboxes'], pred['labels']):
            # the left edge: mmdet writes the label text right of it, from x1 + line width
            x, ys = int(round(x1)), np.arange(int(np.ceil(y1)), int(y2) + 1)
            if 0 <= x < w and len(ys) >= 3:
                on_edge.append((out[ys.clip(0, h - 1), x] == palette[label]).all(-1).mean())
        # boxes drawn later (and their text) may cover an earlier one's edge
        assert max(on_edge) > 0.9 and np.mean(np.asarray(on_edge) > 0.9) >= 0.5, on_edge
        # the mask: away from the boxes, pixels are the image blended with a palette colour
        labels = pred['sem_seg']
        seg_palette = np.asarray(merged_seg_palette(driving['cfg']), float)
        blend = 0.2 * inp + 0.8 * seg_palette[labels]
        inside = np.zeros((h, w), bool)
        for x1, y1, x2, y2 in pred['bboxes']:
            inside[max(int(y1) - 8, 0):int(y2) + 8, max(int(x1) - 8, 0):int(x2) + 8] = True
        close = (np.abs(out - blend) <= 1.5).all(-1)
        assert close[~inside].mean() > 0.9
        assert (out[~inside] != inp[~inside]).any(-1).mean() > 0.9


@pytest.fixture(scope='module')
def dense(tmp_path_factory):
    root = tmp_path_factory.mktemp('infer_dense')
    make_toy_pascal_mt(str(root / 'toy'), num_images=2, seed=0, size=(56, 64))
    folder = root / 'toy' / 'JPEGImages'
    cfg = Config.fromfile(DENSE_CONFIG)
    ckpt = _checkpoint(cfg, str(root / 'toy.pth'))
    out = MultiTaskInferencer(cfg, ckpt, device='cpu')(
        str(folder), out_dir=str(root / 'out'), return_vis=True)
    return dict(root=root, folder=folder, out=out)


def test_dense_model_gives_every_task_map_and_a_panel_each(dense):
    preds = dense['out']['predictions']
    assert len(preds) == 2
    tasks = ('semseg', 'human_parts', 'sal', 'normals', 'edge')
    for pred, picture in zip(preds, dense['out']['visualization']):
        inp = _rgb(pred['img_path'])
        h, w = inp.shape[:2]
        assert (h, w) == (56, 64)  # padded to 64x64 for the model, cropped back
        assert pred['semseg'].shape == (h, w) and pred['semseg'].max() < 21
        assert pred['human_parts'].shape == (h, w) and pred['human_parts'].max() < 7
        assert pred['normals'].shape == (3, h, w)
        np.testing.assert_allclose(np.linalg.norm(pred['normals'], axis=0), 1., atol=1e-4)
        for task in ('sal', 'edge'):
            assert pred[task].shape == (h, w) and 0 <= pred[task].min() <= pred[task].max() <= 1
        # image | semseg | human_parts | sal | normals | edge, side by side
        assert picture.shape == (h, w * (1 + len(tasks)), 3)
        saved = _rgb(dense['root'] / 'out' / 'vis' /
                     f'{osp.splitext(osp.basename(pred["img_path"]))[0]}.png')
        np.testing.assert_array_equal(saved, picture)
        panels = {t: picture[:, w * (i + 1):w * (i + 2)] for i, t in enumerate(tasks)}
        np.testing.assert_array_equal(picture[:, :w], inp)  # no boxes or mask for this model
        for task, num in (('semseg', 21), ('human_parts', 7)):
            blend = 0.2 * inp + 0.8 * np.asarray(get_palette('random', num), float)[pred[task]]
            assert (np.abs(panels[task] - blend) <= 1.5).all(-1).mean() > 0.99, task
        normals_rgb = (pred['normals'].transpose(1, 2, 0) + 1) * 127.5
        assert np.abs(panels['normals'] - normals_rgb).max() <= 1.
        for task in ('sal', 'edge'):  # a fixed 0..1 scale: JET of p * 255, not min-max
            jet = cv2.applyColorMap((pred[task] * 255).astype(np.uint8), cv2.COLORMAP_JET)
            assert np.abs(panels[task].astype(int) - jet[..., ::-1]).max() <= 1, task
    maps = json.load(open(glob.glob(str(dense['root'] / 'out' / 'preds' / '*.json'))[0]))['maps']
    assert maps['semseg'].endswith('.png') and maps['normals'].endswith('.npy')
