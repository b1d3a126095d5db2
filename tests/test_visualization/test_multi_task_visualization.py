"""``tools/test.py --show-dir`` on the toy driving data: one PNG per test image with the
predicted boxes and the predicted mask on it, checked pixel by pixel against the input."""
import glob
import importlib.util
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import save_checkpoint
from mmseg.datasets import CityscapesDataset
from PIL import Image

from mmmtnas.registry import MODELS
from mmmtnas.testing import make_toy_driving

from repo_paths import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py')
TEST_TOOL = osp.join(REPO_ROOT, 'tools/test.py')
# Random weights predict boxes with scores around 1 / (classes + 1): thr 0 draws them; three
# per image keep the picture readable; opaque boxes make their pixels the palette colour.
OPTIONS = ['default_hooks.visualization.score_thr=0', 'model.det_head.test_cfg.max_per_img=3',
           'visualizer.det_alpha=1.0',
           # mmengine keeps one visualizer per name: an earlier in-process run's instance
           # (other options) would otherwise draw this run's pictures
           'visualizer.name=show_dir_test_visualizer']
SEG_ALPHA = 0.8  # MultiTaskLocalVisualizer's default mask opacity (mmseg's)


def toy_checkpoint(config: str, path: str) -> str:
    """A freshly built (random) model of ``config`` saved as a checkpoint."""
    init_default_scope('mmmtnas')
    torch.manual_seed(0)  # the same random predictions every run
    model = MODELS.build(Config.fromfile(config).model)
    save_checkpoint({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def load_tool(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def colour_pixels(out: np.ndarray, inp: np.ndarray, colours) -> np.ndarray:
    """Pixels of ``out`` exactly one of ``colours`` where the input is not that colour."""
    hit = np.zeros(out.shape[:2], bool)
    for colour in colours:
        hit |= (out == np.asarray(colour, np.uint8)).all(-1)
    return hit & (out != inp).any(-1)


def longest_run(mask: np.ndarray, axis: int) -> int:
    """Longest run of True along ``axis`` (1: rows, 0: columns)."""
    m = mask if axis == 1 else mask.T
    best = 0
    for row in m:
        run = 0
        for v in row:
            run = run + 1 if v else 0
            best = max(best, run)
    return best


def mask_colour_fraction(out, inp, palette, exclude, alpha=SEG_ALPHA):
    """Of the pixels that differ from the input (``exclude`` left out), the fraction whose
    colour is the input blended with a palette colour: ``(1 - alpha) * img + alpha * c``."""
    changed = (np.abs(out.astype(int) - inp.astype(int)) > 2).any(-1) & ~exclude
    recovered = (out[changed] - (1 - alpha) * inp[changed].astype(float)) / alpha
    dist = np.abs(recovered[:, None, :] - np.asarray(palette, float)[None]).max(-1).min(-1)
    return changed.mean(), float((dist <= 2.5).mean()) if changed.any() else 0.


@pytest.fixture(scope='module')
def show_run(tmp_path_factory):
    """Toy data, a random checkpoint and one ``tools/test.py --show-dir`` run, in-process."""
    root = tmp_path_factory.mktemp('show_dir')
    make_toy_driving(str(root / 'data' / 'toy_driving'), num_images=2, seed=1)
    ckpt = toy_checkpoint(CONFIG, str(root / 'toy.pth'))
    show_dir = root / 'pictures'
    tool = load_tool(TEST_TOOL, 'mmmtnas_tools_test')
    argv, cwd = sys.argv, os.getcwd()
    sys.argv = [TEST_TOOL, CONFIG, ckpt, '--work-dir', str(root / 'work'), '--show-dir',
                str(show_dir), '--cfg-options', *OPTIONS]
    os.chdir(root)
    try:
        tool.main()
    finally:
        sys.argv = argv
        os.chdir(cwd)
    return dict(root=root, show_dir=show_dir, cfg=Config.fromfile(CONFIG))


def _inputs(root):
    """Test-image basename stem -> RGB array, for every image of the toy set."""
    images = {}
    for path in glob.glob(str(root / 'data' / 'toy_driving' / '**' / '*.*'), recursive=True):
        if path.endswith(('.jpg', '_leftImg8bit.png')):
            # decoded as the hook decodes them (OpenCV), not by PIL
            images[osp.splitext(osp.basename(path))[0]] = cv2.imread(path)[..., ::-1]
    return images


def test_show_dir_writes_one_png_per_test_image_with_boxes_and_mask(show_run):
    pictures = sorted(glob.glob(str(show_run['show_dir'] / '*.png')))
    inputs = _inputs(show_run['root'])
    # the toy test split: detection and segmentation images, each drawn once
    assert len(pictures) >= 4
    det_palette = [tuple(c) for c in show_run['cfg'].det_palette]
    seg_palette = CityscapesDataset.METAINFO['palette']  # the merged classes keep its colours
    boxed = masked = 0
    for path in pictures:
        stem = osp.splitext(osp.basename(path))[0]
        out = np.asarray(Image.open(path).convert('RGB'))
        inp = inputs[stem]
        assert out.shape == inp.shape  # the image alone: predictions only, no dense tasks
        box = colour_pixels(out, inp, det_palette)
        # a box edge: straight runs of one detection colour, horizontally and vertically
        if longest_run(box, 1) >= 8 and longest_run(box, 0) >= 8:
            boxed += 1
        # the mask: most pixels changed, and changed into a blend with a Cityscapes colour
        changed, in_palette = mask_colour_fraction(out, inp, seg_palette, exclude=box)
        if changed > 0.5 and in_palette > 0.8:
            masked += 1
    assert boxed == len(pictures), f'{boxed} of {len(pictures)} pictures show a box'
    assert masked == len(pictures), f'{masked} of {len(pictures)} pictures show the mask'


def test_show_needs_the_visualization_hook_and_a_single_run_config():
    tool = load_tool(TEST_TOOL, 'mmmtnas_tools_test_args')
    args = tool.argparse.Namespace(config='x.py', show=False, show_dir='out', wait_time=1.)
    cfg = Config(dict(default_hooks=dict(visualization=dict(type='X', draw=False))))
    assert tool.trigger_visualization_hook(cfg, args).default_hooks.visualization == dict(
        type='X', draw=True, test_out_dir='out')
    with pytest.raises(KeyError, match='need default_hooks.visualization'):
        tool.trigger_visualization_hook(Config(dict(default_hooks=dict())), args)
    with pytest.raises(ValueError, match='pipeline of stages'):
        tool.trigger_visualization_hook(Config(dict(stages=dict(test=dict()))), args)


def test_ground_truth_row_above_predictions_and_score_threshold():
    from mmdet.structures import DetDataSample
    from mmengine.structures import InstanceData, PixelData

    from mmmtnas.visualization import MultiTaskLocalVisualizer

    h, w = 40, 64
    image = np.full((h, w, 3), 90, np.uint8)
    sample = DetDataSample()
    sample.gt_instances = InstanceData(bboxes=torch.tensor([[10., 8., 40., 30.]]),
                                       labels=torch.tensor([1]))
    # the 0.2 box is under the threshold and must leave no trace
    sample.pred_instances = InstanceData(
        bboxes=torch.tensor([[20., 12., 50., 36.], [2., 2., 60., 38.]]),
        labels=torch.tensor([0, 1]), scores=torch.tensor([0.9, 0.2]))
    labels = torch.zeros(1, h, w, dtype=torch.long)
    labels[:, :, w // 2:] = 1
    sample.pred_sem_seg = PixelData(data=labels)
    vis = MultiTaskLocalVisualizer(name='gt_row_test', det_alpha=1.0)
    det_palette, seg_palette = [(0, 0, 142), (220, 20, 60)], [(128, 64, 128), (70, 70, 70)]
    vis.dataset_meta = dict(det=dict(classes=('a', 'b'), palette=det_palette),
                            seg=dict(classes=('road', 'building'), palette=seg_palette))
    picture = vis.draw(image, sample, draw_gt=True, pred_score_thr=0.3)
    assert picture.shape == (2 * h, w, 3)
    gt, pred = picture[:h], picture[h:]
    assert (gt[8:31, 10] == det_palette[1]).all()  # the GT box's left edge
    assert (gt[:, 50:] == image[:, 50:]).all()  # no mask in the GT row (the sample has none)
    assert (pred[12:37, 20] == det_palette[0]).all()  # the kept prediction's left edge
    assert not (pred == det_palette[1]).all(-1).any()  # the 0.2 box is not drawn
    # the mask, away from the box: image blended 80 % with each half's class colour
    expected = (image * 0.2 + np.asarray(seg_palette, float)[labels[0].numpy()] * 0.8)
    np.testing.assert_allclose(pred[:, 56:], expected[:, 56:], atol=1)
    np.testing.assert_allclose(pred[:8, :18], expected[:8, :18], atol=1)
