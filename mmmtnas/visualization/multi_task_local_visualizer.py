"""One picture of a multi-task prediction: detection boxes and a segmentation mask on the image
(MMDetection's and MMSegmentation's local visualizers), and the dense tasks of BMTAS as colour
maps beside it."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import mmcv
import numpy as np
import torch
from mmdet.visualization import DetLocalVisualizer
from mmdet.visualization.palette import get_palette
from mmengine.dist import master_only
from mmengine.structures import BaseDataElement, InstanceData, PixelData
from mmengine.visualization import Visualizer
from mmseg.visualization import SegLocalVisualizer

from mmmtnas.registry import VISUALIZERS

#: Dense tasks drawn as panels of their own (``pred_<task>`` / ``gt_<task>`` of a sample).
DENSE_TASKS = ('semseg', 'human_parts', 'sal', 'normals', 'edge', 'depth')
#: Labelling dense tasks and the ``dataset_meta`` key holding their class names.
DENSE_LABEL_TASKS = {'semseg': 'classes', 'human_parts': 'human_parts_classes'}
#: Dense tasks whose maps are probabilities: coloured on a fixed 0..1 scale.
PROBABILITY_TASKS = ('sal', 'edge')

ColorType = Union[str, Tuple[int, int, int], None]


def _as_numpy(data) -> np.ndarray:
    if isinstance(data, torch.Tensor):
        return data.detach().cpu().numpy()
    return np.asarray(data)


def _pixel_map(field: PixelData) -> torch.Tensor:
    """The map of a ``PixelData``: mmseg names it ``data``, mmdet's ``gt_sem_seg`` ``sem_seg``."""
    data = field.data if 'data' in field else field.sem_seg
    data = torch.as_tensor(_as_numpy(data))
    return data[None] if data.ndim == 2 else data


def _num_labels(labels: torch.Tensor, ignore_index: int = 255) -> int:
    """One more than the largest label other than ``ignore_index`` (0 for none)."""
    valid = labels[(labels >= 0) & (labels != ignore_index)]
    return int(valid.max()) + 1 if valid.numel() else 0


def colour_map(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """RGB picture of a ``(H, W)`` map on the JET scale, ``low`` blue to ``high`` red.

    Args:
        values (np.ndarray): The map.
        low (float): Value drawn blue.
        high (float): Value drawn red.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB.
    """
    scale = max(float(high) - float(low), 1e-12)
    values = np.nan_to_num(values.astype(np.float64), nan=low)
    grey = np.clip((values - low) / scale * 255., 0, 255).astype(np.uint8)
    return cv2.applyColorMap(grey, cv2.COLORMAP_JET)[..., ::-1].copy()


@VISUALIZERS.register_module()
class MultiTaskLocalVisualizer(Visualizer):
    """Draw the predictions (and optionally the ground truth) of a multi-task sample.

    The first panel is the image with the segmentation mask (``pred_sem_seg``) blended by
    MMSegmentation's :class:`SegLocalVisualizer` and the detection boxes (``pred_instances``
    above ``pred_score_thr``) drawn over it by MMDetection's :class:`DetLocalVisualizer`; each
    dense task of ``DENSE_TASKS`` the sample holds (``pred_semseg``, ``pred_sal``, ...) adds a
    panel to its right: labelling tasks as masks on the image (mmseg's drawing), probabilities
    (saliency, edges) on a fixed 0..1 JET scale, surface normals as RGB ``(n + 1) / 2``, other
    maps (depth) on a JET scale from their minimum to their maximum. The ground truth, when
    drawn, is a second row of the same panels above the predictions.

    ``dataset_meta`` is either one dataset's metainfo (``classes``, ``palette``,
    ``human_parts_classes``, ...) or one per task, ``{'det': {...}, 'seg': {...}}``, as a
    multi-task loop's ``dataloader.dataset.metainfo`` gives it. Classes without a palette get
    MMDetection's seeded random one.

    Args:
        name (str): Instance name. Defaults to 'visualizer'.
        image (np.ndarray, optional): RGB image to draw on. Defaults to None.
        vis_backends (list[dict], optional): Storage backends. Defaults to None.
        save_dir (str, optional): Folder of the backends. Defaults to None.
        bbox_color (str | tuple, optional): One colour for all boxes; None (default): the
            detection palette.
        text_color (str | tuple): Colour of the box labels. Defaults to (200, 200, 200).
        line_width (int | float): Box line width. Defaults to 3.
        det_alpha (float): Opacity of the boxes. Defaults to 0.8 (mmdet's).
        alpha (float): Opacity of segmentation masks. Defaults to 0.8 (mmseg's).
        seg_labels (bool): Write class names on the segmentation regions (mmseg's
            ``with_labels``). Defaults to False: the boxes carry names already, and mmseg
            places each name by sorting the class's pixels in Python (about a second per
            image on a busy CPU).
        dense_tasks (Sequence[str]): Dense tasks drawn as panels, in this order.
            Defaults to ``DENSE_TASKS``.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 image: Optional[np.ndarray] = None,
                 vis_backends: Optional[List[dict]] = None,
                 save_dir: Optional[str] = None,
                 bbox_color: ColorType = None,
                 text_color: ColorType = (200, 200, 200),
                 line_width: Union[int, float] = 3,
                 det_alpha: float = 0.8,
                 alpha: float = 0.8,
                 seg_labels: bool = False,
                 dense_tasks: Sequence[str] = DENSE_TASKS) -> None:
        super().__init__(name=name, image=image, vis_backends=vis_backends, save_dir=save_dir)
        self.det_kwargs = dict(bbox_color=bbox_color, text_color=text_color,
                               line_width=line_width, alpha=det_alpha)
        self.alpha = alpha
        self.seg_labels = seg_labels
        self.dense_tasks = tuple(dense_tasks)
        self._det_vis: Optional[DetLocalVisualizer] = None
        self._seg_vis: Optional[SegLocalVisualizer] = None
        self.dataset_meta: dict = {}

    # ------------------------------------------------------------------ the upstream drawers
    # Built on first use (each holds a matplotlib figure); never registered as global
    # instances, so they do not clash with the runner's visualizer.
    @property
    def det_visualizer(self) -> DetLocalVisualizer:
        """MMDetection's drawer of boxes (no backends of its own)."""
        if self._det_vis is None:
            self._det_vis = DetLocalVisualizer(name=f'{self.instance_name}.det',
                                               **self.det_kwargs)
        return self._det_vis

    @property
    def seg_visualizer(self) -> SegLocalVisualizer:
        """MMSegmentation's drawer of masks (no backends of its own)."""
        if self._seg_vis is None:
            self._seg_vis = SegLocalVisualizer(name=f'{self.instance_name}.seg',
                                               alpha=self.alpha)
        return self._seg_vis

    # ------------------------------------------------------------------ metadata
    def task_meta(self, task: str) -> dict:
        """The metainfo for ``task`` ('det', 'seg' or a dense task): its own entry of a
        per-task ``dataset_meta``, else the whole of it."""
        meta = self.dataset_meta or {}
        entry = meta.get(task)
        return entry if isinstance(entry, dict) else meta

    @staticmethod
    def _classes_and_palette(classes: Optional[Sequence[str]], palette: Optional[Sequence],
                             num_labels: int) -> Tuple[List[str], List[tuple]]:
        """Class names and colours for labels ``0 .. max(len(classes), num_labels) - 1``."""
        classes = list(classes or [])
        num = max(len(classes), num_labels)
        classes += [f'class {i}' for i in range(len(classes), num)]
        if palette is None or len(palette) < num:
            palette = get_palette('random', num)
        return classes, [tuple(int(c) for c in colour) for colour in palette[:num]]

    def _dense_classes(self, task: str, meta: dict, num_labels: int):
        key = DENSE_LABEL_TASKS.get(task, f'{task}_classes')
        palette_key = 'palette' if key == 'classes' else f'{task}_palette'
        return self._classes_and_palette(meta.get(key), meta.get(palette_key), num_labels)

    # ------------------------------------------------------------------ panels
    def _draw_mask(self, image: np.ndarray, labels: torch.Tensor, classes, palette) -> np.ndarray:
        """Blend a ``(1, H, W)`` label map into ``image`` with mmseg's drawing (labels outside
        the classes, e.g. 255 = ignore, stay unpainted)."""
        if labels.shape[-2:] != image.shape[:2]:
            labels = torch.nn.functional.interpolate(
                labels[None].float(), size=image.shape[:2], mode='nearest')[0]
        return self.seg_visualizer._draw_sem_seg(
            image, PixelData(data=labels.long().cpu()), classes, palette,
            with_labels=self.seg_labels)

    def _det_seg_panel(self, image: np.ndarray, sample: BaseDataElement, prefix: str,
                       score_thr: float) -> np.ndarray:
        """The image with ``<prefix>_sem_seg`` and then ``<prefix>_instances`` drawn on it."""
        drawn = image
        if f'{prefix}_sem_seg' in sample:
            labels = _pixel_map(sample.get(f'{prefix}_sem_seg'))
            meta = self.task_meta('seg')
            classes, palette = self._classes_and_palette(
                meta.get('classes'), meta.get('palette'), _num_labels(labels))
            drawn = self._draw_mask(drawn, labels, classes, palette)
        if f'{prefix}_instances' in sample:
            instances = sample.get(f'{prefix}_instances')
            if prefix == 'pred' and 'scores' in instances:
                instances = instances[instances.scores > score_thr]
            instances = instances.cpu()
            if 'bboxes' in instances and len(instances) > 0:
                instances = InstanceData(bboxes=torch.as_tensor(instances.bboxes).float(),
                                         labels=torch.as_tensor(instances.labels).long(),
                                         **({'scores': instances.scores}
                                            if 'scores' in instances else {}))
                meta = self.task_meta('det')
                classes, palette = self._classes_and_palette(
                    meta.get('classes'), meta.get('palette'),
                    int(instances.labels.max()) + 1)
                det = self.det_visualizer
                det.set_image(drawn)
                plain = det.get_image()
                boxed = det._draw_instances(drawn, instances, classes, palette)
                # mmengine's canvas resamples the image under the drawing (rows and columns
                # move by up to a pixel: 3 in 4 pixels of a noisy mask change), so only the
                # pixels the boxes and their labels change are taken from it
                changed = (boxed != plain).any(-1, keepdims=True)
                drawn = np.where(changed, boxed, drawn)
        return drawn

    def _dense_panel(self, image: np.ndarray, task: str, field: PixelData) -> np.ndarray:
        """One dense task's map as a picture of the image's size."""
        data = _pixel_map(field).float()
        if data.shape[-2:] != image.shape[:2]:
            mode = 'nearest' if task in DENSE_LABEL_TASKS else 'bilinear'
            data = torch.nn.functional.interpolate(data[None], size=image.shape[:2], mode=mode)[0]
        if task in DENSE_LABEL_TASKS or (data.shape[0] == 1 and f'{task}_classes' in
                                         self.task_meta(task)):
            classes, palette = self._dense_classes(task, self.task_meta(task),
                                                   _num_labels(data.round().long()))
            return self._draw_mask(image, data.round(), classes, palette)
        values = _as_numpy(data)
        if values.shape[0] == 3:  # surface normals: (n + 1) / 2 as RGB
            return np.clip((values.transpose(1, 2, 0) + 1.) * 127.5, 0, 255).astype(np.uint8)
        values = values.mean(0)
        if task in PROBABILITY_TASKS:
            return colour_map(values, 0., 1.)
        finite = values[np.isfinite(values)]
        low, high = (finite.min(), finite.max()) if finite.size else (0., 1.)
        return colour_map(values, low, high)

    def draw_sample(self, image: np.ndarray, sample: BaseDataElement, prefix: str = 'pred',
                    score_thr: float = 0.3,
                    tasks: Optional[Sequence[str]] = None) -> List[np.ndarray]:
        """The panels of one row: the image with boxes and mask, then one per dense task.

        Args:
            image (np.ndarray): RGB image, ``(H, W, 3)`` uint8.
            sample (BaseDataElement): A det / seg / dense data sample.
            prefix (str): 'pred' or 'gt'.
            score_thr (float): Boxes at or below this score are left out (predictions only).
            tasks (Sequence[str], optional): Dense tasks to draw (a missing map is a grey
                panel). Defaults to those of ``dense_tasks`` the sample holds.

        Returns:
            list[np.ndarray]: RGB panels of the image's size.
        """
        image = np.ascontiguousarray(image[..., :3]).astype(np.uint8)
        if tasks is None:
            tasks = [t for t in self.dense_tasks if f'{prefix}_{t}' in sample]
        panels = [self._det_seg_panel(image, sample, prefix, score_thr)]
        for task in tasks:
            key = f'{prefix}_{task}'
            panels.append(self._dense_panel(image, task, sample.get(key)) if key in sample
                          else np.full_like(image, 128))
        return panels

    def draw(self,
             image: np.ndarray,
             data_sample: Optional[BaseDataElement] = None,
             draw_gt: bool = True,
             draw_pred: bool = True,
             pred_score_thr: float = 0.3) -> np.ndarray:
        """The picture of a sample: a row of panels for its ground truth (if drawn and held)
        above a row for its predictions; the image alone without a sample.

        Args:
            image (np.ndarray): RGB image.
            data_sample (BaseDataElement, optional): The sample. Defaults to None.
            draw_gt (bool): Draw the ground truth it holds. Defaults to True.
            draw_pred (bool): Draw its predictions. Defaults to True.
            pred_score_thr (float): Box score threshold. Defaults to 0.3.

        Returns:
            np.ndarray: RGB picture, exact (not re-rendered by matplotlib).
        """
        rows = []
        if data_sample is not None:
            data_sample = data_sample.cpu()
            for prefix, panels in self.panel_layout(data_sample, draw_gt, draw_pred).items():
                rows.append(self.draw_sample(image, data_sample, prefix, pred_score_thr,
                                             panels[1:]))
        if not rows:
            return np.ascontiguousarray(image)
        return np.concatenate([np.concatenate(row, axis=1) for row in rows], axis=0)

    @master_only
    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[BaseDataElement] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: float = 0.3,
                       step: int = 0) -> None:
        """Draw a sample's predictions (and ground truth) and show, save or log the picture.

        Same arguments as :meth:`DetLocalVisualizer.add_datasample`: the picture goes to a
        window (``show``), to ``out_file`` (written as given; PNG keeps colours exact), or
        else to the storage backends (``add_image``).

        Args:
            name (str): Image identifier.
            image (np.ndarray): RGB image.
            data_sample (BaseDataElement, optional): The sample. Defaults to None.
            draw_gt (bool): Draw the ground truth it holds, as a row above. Defaults to True.
            draw_pred (bool): Draw its predictions. Defaults to True.
            show (bool): Show in a window. Defaults to False.
            wait_time (float): Seconds to show. Defaults to 0.
            out_file (str, optional): Write the picture here. Defaults to None.
            pred_score_thr (float): Box score threshold. Defaults to 0.3.
            step (int): Global step for the backends. Defaults to 0.
        """
        # not set_image(): its canvas would resample the picture; draw() returns it exactly
        drawn = self.draw(image, data_sample, draw_gt, draw_pred, pred_score_thr)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)

    def panel_layout(self, data_sample: BaseDataElement, draw_gt: bool = True,
                     draw_pred: bool = True) -> Dict[str, List[str]]:
        """Which panels :meth:`add_datasample` draws, row by row (for readers of the picture).

        Args:
            data_sample (BaseDataElement): The sample.
            draw_gt (bool): Whether its ground truth is drawn. Defaults to True.
            draw_pred (bool): Whether its predictions are drawn. Defaults to True.

        Returns:
            dict[str, list[str]]: ``'gt'`` / ``'pred'`` -> ``['image', <dense tasks>...]``.
        """
        tasks = [t for t in self.dense_tasks
                 if (draw_pred and f'pred_{t}' in data_sample)
                 or (draw_gt and f'gt_{t}' in data_sample)]
        layout = {}
        if draw_gt and any(key.startswith('gt_') for key in data_sample.keys()):
            layout['gt'] = ['image', *tasks]
        if draw_pred:
            layout['pred'] = ['image', *tasks]
        return layout
