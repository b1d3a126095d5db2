"""Inference of a multi-task model on images, a list of images or a folder, with pictures."""
import copy
import json
import os.path as osp
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import cv2
import mmcv
import numpy as np
import torch
from mmengine.config import Config, ConfigDict
from mmengine.dataset import pseudo_collate
from mmengine.infer.infer import BaseInferencer
from mmengine.registry import FUNCTIONS
from mmengine.runner.checkpoint import _load_checkpoint_to_model
from mmengine.structures import BaseDataElement
from mmengine.utils import mkdir_or_exist, scandir

from mmmtnas.registry import DATASETS, VISUALIZERS
from mmmtnas.visualization.multi_task_local_visualizer import DENSE_TASKS

ConfigType = Union[Config, ConfigDict]
InputType = Union[str, np.ndarray]
InputsType = Union[InputType, Sequence[InputType]]
PredType = List[BaseDataElement]

#: Transforms that read labels: left out of the inference pipeline (there are none).
ANNOTATION_TRANSFORMS = ('LoadAnnotations', 'LoadDenseAnnotations', 'CheckSegLabels')
#: Dataloader of a per-task ``test_dataloader`` whose pipeline serves inference, by preference.
PIPELINE_TASKS = ('det', 'seg')


def _short_type(transform: dict) -> str:
    kind = transform.get('type', '')
    name = kind if isinstance(kind, str) else getattr(kind, '__name__', '')
    return name.rsplit('.', 1)[-1]


def _find_pipeline(dataset_cfg: Any) -> Optional[list]:
    """The first ``pipeline`` in a (possibly wrapped) dataset config, depth first."""
    if isinstance(dataset_cfg, dict):
        if isinstance(dataset_cfg.get('pipeline'), (list, tuple)):
            return list(dataset_cfg['pipeline'])
        for key in ('dataset', 'datasets'):
            found = _find_pipeline(dataset_cfg.get(key))
            if found is not None:
                return found
    elif isinstance(dataset_cfg, (list, tuple)):
        for item in dataset_cfg:
            found = _find_pipeline(item)
            if found is not None:
                return found
    return None


def dataset_meta_from_config(dataset_cfg: Any) -> dict:
    """Class names (and palette) a dataset config declares, without reading any data: the
    dataset class's ``METAINFO``, then what wrapped datasets declare, then the config's own
    ``metainfo`` / ``classes`` / ``palette`` (e.g. ``mmmtnas.ClassMergeDataset``'s).

    Args:
        dataset_cfg (dict | list): A dataset config (or a list, of which the first counts).

    Returns:
        dict: The metainfo found (empty if none).
    """
    if isinstance(dataset_cfg, (list, tuple)):
        return dataset_meta_from_config(dataset_cfg[0]) if dataset_cfg else {}
    if not isinstance(dataset_cfg, dict):
        return {}
    meta: dict = {}
    kind = dataset_cfg.get('type')
    try:
        cls = DATASETS.get(kind) if isinstance(kind, str) else kind
    except Exception:  # an unknown scope prefix: no class to read
        cls = None
    meta.update(copy.deepcopy(getattr(cls, 'METAINFO', None) or {}))
    for key in ('dataset', 'datasets'):
        meta.update(dataset_meta_from_config(dataset_cfg.get(key)))
    meta.update(dict(dataset_cfg.get('metainfo') or {}))
    if dataset_cfg.get('classes') is not None:  # a wrapper's own classes (ClassMergeDataset)
        classes = list(dataset_cfg['classes'])
        palette = dataset_cfg.get('palette')
        if palette is None:
            palette = _mapped_palette(meta, dataset_cfg.get('class_map'), classes)
        meta.update(classes=classes, palette=palette)
        if palette is None:
            meta.pop('palette')
    elif dataset_cfg.get('palette') is not None:
        meta['palette'] = dataset_cfg['palette']
    return meta


def _mapped_palette(source_meta: dict, class_map: Optional[dict],
                    classes: List[str]) -> Optional[list]:
    """Each target class takes the colour of the first source class mapped to it (identity
    without ``class_map``), as :class:`mmmtnas.ClassMergeDataset` does; None when the source
    has no palette."""
    source, palette = source_meta.get('classes'), source_meta.get('palette')
    if source is None or palette is None:
        return None
    mapping = class_map if class_map is not None else {c: c for c in source}
    colours = []
    for target in classes:
        hits = [i for i, c in enumerate(source) if mapping.get(c) == target and i < len(palette)]
        colours.append(list(palette[hits[0]]) if hits else [0, 0, 0])
    return colours


def _is_per_task(loader_cfg: Any) -> bool:
    # a multi-task loop's loaders: dict(det=dict(dataset=...), seg=...)
    return isinstance(loader_cfg, dict) and 'dataset' not in loader_cfg


class MultiTaskInferencer(BaseInferencer):
    """Run a multi-task model (detection + segmentation, or the dense tasks of BMTAS) on
    images, in the manner of MMDetection's ``DetInferencer``.

    The pipeline is the config's test pipeline (of its ``det`` loader for a per-task
    ``test_dataloader``) without the transforms that read labels, loading files or arrays with
    MMDetection's ``InferencerLoader``. Class names come from the checkpoint's
    ``meta.dataset_meta`` (what MMEngine's ``CheckpointHook`` saves), else from the test
    dataset config.

    Each call returns ``predictions``: one dict per image with ``bboxes`` (x1, y1, x2, y2 in
    the image's pixels), ``labels`` and ``scores`` of every box the model kept, ``sem_seg``
    ``(H, W)`` labels, and one map per dense task (``semseg``, ``sal``, ...; ``(H, W)`` or
    ``(C, H, W)``); with ``out_dir`` the pictures (:class:`MultiTaskLocalVisualizer`) go to
    ``<out_dir>/vis/<stem>.png`` and the predictions to ``<out_dir>/preds/<stem>.json``, label
    maps as ``<stem>_<task>.png`` and other maps as ``<stem>_<task>.npy`` beside it.

    Args:
        model (str | Config | dict): Config file or config.
        weights (str, optional): Checkpoint. Defaults to None (random weights, with a warning).
        device (str, optional): Device. Defaults to CUDA if available, else CPU.
        scope (str): Default scope. Defaults to 'mmmtnas'.
        show_progress (bool): Show a progress bar. Defaults to False.

    Examples:
        >>> inferencer = MultiTaskInferencer('configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py',
        ...                                  'work_dirs/r18_fpn_ssd_fcn_toy/iter_400.pth')
        >>> out = inferencer('demo/images/', out_dir='outputs', pred_score_thr=0.3)
        >>> out['predictions'][0]['bboxes'], out['predictions'][0]['sem_seg'].shape
    """

    preprocess_kwargs: set = set()
    forward_kwargs: set = set()
    visualize_kwargs: set = {
        'return_vis', 'show', 'wait_time', 'draw_pred', 'pred_score_thr', 'img_out_dir'}
    postprocess_kwargs: set = {'print_result', 'pred_out_dir'}

    def __init__(self,
                 model: Union[str, Config, dict],
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: str = 'mmmtnas',
                 show_progress: bool = False) -> None:
        if isinstance(model, str) and not osp.isfile(model):
            raise FileNotFoundError(f'config file not found: {model}')
        if weights is not None and not osp.isfile(weights):
            raise FileNotFoundError(f'checkpoint file not found: {weights}')
        self._names: List[str] = []
        super().__init__(model=model, weights=weights, device=device, scope=scope,
                         show_progress=show_progress)
        self.visualizer.dataset_meta = self.model.dataset_meta

    # ------------------------------------------------------------------ set-up
    def _load_weights_to_model(self, model: torch.nn.Module, checkpoint: Optional[dict],
                               cfg: Optional[ConfigType]) -> None:
        meta = None
        if checkpoint is not None:
            _load_checkpoint_to_model(model, checkpoint)
            meta = (checkpoint.get('meta') or {}).get('dataset_meta')
        else:
            super()._load_weights_to_model(model, checkpoint, cfg)  # warns: random weights
        if not meta:
            loader = cfg.get('test_dataloader') or {}
            if _is_per_task(loader):
                meta = {task: dataset_meta_from_config(sub.get('dataset'))
                        for task, sub in loader.items() if isinstance(sub, dict)}
            else:
                meta = dataset_meta_from_config(loader.get('dataset'))
        model.dataset_meta = meta

    def _test_loader_cfg(self, cfg: ConfigType) -> dict:
        loader = cfg.get('test_dataloader')
        if not isinstance(loader, dict):
            raise KeyError(f'{cfg.filename}: MultiTaskInferencer needs a test_dataloader (its '
                           'dataset pipeline is the inference pipeline)')
        if _is_per_task(loader):
            task = next((t for t in PIPELINE_TASKS if loader.get(t)),
                        next((t for t in loader if loader.get(t)), None))
            if task is None:
                raise KeyError(f'{cfg.filename}: test_dataloader has no task loader')
            loader = loader[task]
        return loader

    def _init_collate(self, cfg: ConfigType) -> Callable:
        # mmengine looks the collate function up in the default scope's FUNCTIONS registry,
        # which mmmtnas does not have; the test loader's own, else pseudo_collate
        collate = self._test_loader_cfg(cfg).get('collate_fn')
        if collate is None:
            return pseudo_collate
        return FUNCTIONS.get(collate['type'] if isinstance(collate, dict) else collate)

    def _init_pipeline(self, cfg: ConfigType):
        from mmengine.dataset import Compose

        pipeline = _find_pipeline(self._test_loader_cfg(cfg).get('dataset'))
        if not pipeline:
            raise KeyError(f'{cfg.filename}: no pipeline in test_dataloader.dataset')
        pipeline = [dict(t) for t in copy.deepcopy(pipeline)
                    if _short_type(t) not in ANNOTATION_TRANSFORMS]
        loads = [i for i, t in enumerate(pipeline) if _short_type(t) == 'LoadImageFromFile']
        if not loads:
            raise KeyError(f'{cfg.filename}: the test pipeline has no LoadImageFromFile')
        # reads a path or an array, as DetInferencer does
        pipeline[loads[0]]['type'] = 'mmdet.InferencerLoader'
        pack = pipeline[-1]
        if 'meta_keys' in pack:  # no image id at inference
            pack['meta_keys'] = tuple(k for k in pack['meta_keys'] if k != 'img_id')
        return Compose(pipeline)

    def _init_visualizer(self, cfg: ConfigType):
        vis_cfg = dict(cfg.get('visualizer') or {})
        kind = vis_cfg.get('type')
        cls = None
        if kind is not None:
            try:
                cls = VISUALIZERS.get(kind) if isinstance(kind, str) else kind
            except Exception:
                cls = None
        if cls is None or not hasattr(cls, 'add_datasample'):
            vis_cfg = dict(type='mmmtnas.MultiTaskLocalVisualizer')
        # pictures go to files, never to the training backends
        vis_cfg.update(vis_backends=None, save_dir=None,
                       name=f'multi_task_inferencer_{id(self)}')
        return VISUALIZERS.build(vis_cfg)

    # ------------------------------------------------------------------ running
    def _inputs_to_list(self, inputs: InputsType) -> list:
        if isinstance(inputs, str) and not osp.exists(inputs):
            raise FileNotFoundError(f'input not found: {inputs}')
        if isinstance(inputs, str) and osp.isdir(inputs):
            inputs = sorted(osp.join(inputs, name) for name in scandir(
                inputs, suffix=('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp'),
                case_sensitive=False))
            if not inputs:
                raise FileNotFoundError('no image (.jpg, .png, ...) in the input folder')
        inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        for item in inputs:
            if isinstance(item, str) and not osp.isfile(item):
                raise FileNotFoundError(f'input image not found: {item}')
        self._names = self._unique_names(inputs)
        return inputs

    @staticmethod
    def _unique_names(inputs: list) -> List[str]:
        names, seen = [], set()
        for i, item in enumerate(inputs):
            stem = (osp.splitext(osp.basename(item))[0] if isinstance(item, str)
                    else f'{i:08d}')
            name, k = stem, 0
            while name in seen:
                k += 1
                name = f'{stem}_{k}'
            seen.add(name)
            names.append(name)
        return names

    def __call__(self,
                 inputs: InputsType,
                 batch_size: int = 1,
                 out_dir: str = '',
                 pred_score_thr: float = 0.3,
                 show: bool = False,
                 wait_time: float = 0,
                 no_save_vis: bool = False,
                 no_save_pred: bool = False,
                 return_vis: bool = False,
                 return_datasamples: bool = False,
                 print_result: bool = False) -> dict:
        """Predict, draw and save.

        Args:
            inputs (str | np.ndarray | list): Image file(s), BGR array(s) or a folder.
            batch_size (int): Images per forward pass. Defaults to 1.
            out_dir (str): Folder of ``vis/`` and ``preds/``; '' saves nothing.
            pred_score_thr (float): Boxes at or below this score are not drawn (all kept boxes
                are returned). Defaults to 0.3.
            show (bool): Show each picture in a window. Defaults to False.
            wait_time (float): Seconds a shown picture stays. Defaults to 0.
            no_save_vis (bool): Do not write the pictures. Defaults to False.
            no_save_pred (bool): Do not write the predictions. Defaults to False.
            return_vis (bool): Return the pictures (RGB arrays). Defaults to False.
            return_datasamples (bool): Return data samples instead of dicts.
            print_result (bool): Print the predictions. Defaults to False.

        Returns:
            dict: ``predictions`` (and ``visualization`` with ``return_vis``).
        """
        return super().__call__(
            inputs, batch_size=batch_size, return_datasamples=return_datasamples,
            return_vis=return_vis, show=show, wait_time=wait_time,
            pred_score_thr=pred_score_thr, print_result=print_result,
            img_out_dir=osp.join(out_dir, 'vis') if out_dir and not no_save_vis else '',
            pred_out_dir=osp.join(out_dir, 'preds') if out_dir and not no_save_pred else '')

    def visualize(self,
                  inputs: list,
                  preds: PredType,
                  return_vis: bool = False,
                  show: bool = False,
                  wait_time: float = 0,
                  draw_pred: bool = True,
                  pred_score_thr: float = 0.3,
                  img_out_dir: str = '') -> Optional[List[np.ndarray]]:
        """Draw each prediction on its image (see :class:`MultiTaskLocalVisualizer`).

        Returns:
            list[np.ndarray] | None: RGB pictures when ``return_vis``.
        """
        if not (show or img_out_dir or return_vis):
            return None
        if img_out_dir:
            mkdir_or_exist(img_out_dir)
        pictures = []
        for single_input, pred, name in zip(inputs, preds, self._names):
            img = mmcv.imread(single_input) if isinstance(single_input, str) else single_input
            img = mmcv.bgr2rgb(img.astype(np.uint8)) if img.ndim == 3 else \
                cv2.cvtColor(img.astype(np.uint8), cv2.COLOR_GRAY2RGB)
            # the exact picture (the visualizer's get_image() re-renders it through matplotlib)
            picture = self.visualizer.draw(img, pred, draw_gt=False, draw_pred=draw_pred,
                                           pred_score_thr=pred_score_thr)
            if show:
                self.visualizer.show(picture, win_name=name, wait_time=wait_time)
            if img_out_dir:
                mmcv.imwrite(picture[..., ::-1], osp.join(img_out_dir, f'{name}.png'))
            pictures.append(picture)
        return pictures

    @staticmethod
    def pred2dict(data_sample: BaseDataElement) -> Dict[str, Any]:
        """A prediction as numbers: boxes, mask and dense maps.

        Args:
            data_sample (BaseDataElement): A predicted sample.

        Returns:
            dict: ``bboxes`` / ``labels`` / ``scores`` (lists), ``sem_seg`` and the dense
            tasks' maps (``np.ndarray``), ``img_path`` when known.
        """
        result: Dict[str, Any] = {}
        if 'img_path' in data_sample.metainfo and data_sample.img_path is not None:
            result['img_path'] = data_sample.img_path
        if 'pred_instances' in data_sample:
            instances = data_sample.pred_instances.cpu()
            result['bboxes'] = instances.bboxes.float().tolist()
            result['labels'] = instances.labels.long().tolist()
            result['scores'] = instances.scores.float().tolist()
        if 'pred_sem_seg' in data_sample:
            result['sem_seg'] = data_sample.pred_sem_seg.cpu().data[0].numpy()
        for task in DENSE_TASKS:
            if f'pred_{task}' in data_sample:
                data = data_sample.get(f'pred_{task}').cpu().data.numpy()
                result[task] = data[0] if data.shape[0] == 1 else data
        return result

    @staticmethod
    def _save(pred: Dict[str, Any], name: str, out_dir: str) -> None:
        record = {k: pred[k] for k in ('img_path', 'bboxes', 'labels', 'scores') if k in pred}
        maps = {}
        for task, data in pred.items():
            if not isinstance(data, np.ndarray):
                continue
            if np.issubdtype(data.dtype, np.integer) and data.ndim == 2:
                dtype = np.uint8 if 0 <= data.min() and data.max() < 256 else np.uint16
                maps[task] = f'{name}_{task}.png'
                cv2.imwrite(osp.join(out_dir, maps[task]), data.astype(dtype))
            else:
                maps[task] = f'{name}_{task}.npy'
                np.save(osp.join(out_dir, maps[task]), data)
        if maps:
            record['maps'] = maps
        with open(osp.join(out_dir, f'{name}.json'), 'w') as f:
            json.dump(record, f)

    def postprocess(self,
                    preds: PredType,
                    visualization: Optional[List[np.ndarray]] = None,
                    return_datasample: bool = False,
                    print_result: bool = False,
                    pred_out_dir: str = '') -> dict:
        """Turn the samples into dicts (unless ``return_datasample``) and save them.

        Returns:
            dict: ``predictions`` and ``visualization``.
        """
        results = [self.pred2dict(pred) for pred in preds]
        if pred_out_dir:
            mkdir_or_exist(pred_out_dir)
            for result, name in zip(results, self._names):
                self._save(result, name, pred_out_dir)
        if print_result:
            print(results)
        return dict(predictions=preds if return_datasample else results,
                    visualization=visualization)

