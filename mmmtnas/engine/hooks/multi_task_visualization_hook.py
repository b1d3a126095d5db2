"""Draw multi-task predictions during validation and test (``tools/test.py --show-dir``)."""
import os.path as osp
from typing import Optional, Sequence, Set

import mmcv
from mmengine.fileio import get
from mmengine.hooks import Hook
from mmengine.utils import mkdir_or_exist

from mmmtnas.registry import HOOKS


@HOOKS.register_module()
class MultiTaskVisualizationHook(Hook):
    """Draw the predictions of a multi-task model with the runner's visualizer, in the manner of
    MMDetection's ``DetVisualizationHook`` and MMSegmentation's ``SegVisualizationHook``.

    - Validation: the first image of every ``interval``-th batch goes to the visualizer's
      backends (``add_image``).
    - Test: every image of every ``interval``-th batch (``interval=1``: all) is drawn; with
      ``test_out_dir`` the pictures are written there as ``<image stem>.png`` (PNG, so the
      colours are exact; a name met twice gets ``_1``, ``_2`` ...), else to the backends.

    The visualizer must draw a data sample (``add_datasample``), e.g.
    ``mmmtnas.MultiTaskLocalVisualizer``. It is given the loop's dataset metainfo, which for a
    multi-task loop is one entry per task (``{'det': ..., 'seg': ...}``).

    Args:
        draw (bool): Draw at all. Defaults to False (``tools/test.py --show-dir`` turns it on).
        interval (int): Draw every ``interval``-th batch. Defaults to 50.
        score_thr (float): Boxes at or below this score are not drawn. Defaults to 0.3.
        show (bool): Show each picture in a window. Defaults to False.
        wait_time (float): Seconds a shown picture stays. Defaults to 0.
        draw_gt (bool): Draw the ground truth too, as a row above the predictions.
            Defaults to False.
        test_out_dir (str, optional): Folder of the test pictures; a relative one is placed
            under ``<work_dir>/<timestamp>/`` as MMDetection does. Defaults to None.
        backend_args (dict, optional): File backend arguments for reading images.
    """

    priority = 'NORMAL'

    def __init__(self,
                 draw: bool = False,
                 interval: int = 50,
                 score_thr: float = 0.3,
                 show: bool = False,
                 wait_time: float = 0.,
                 draw_gt: bool = False,
                 test_out_dir: Optional[str] = None,
                 backend_args: Optional[dict] = None) -> None:
        if interval < 1:
            raise ValueError(f'MultiTaskVisualizationHook: interval must be >= 1, got {interval}')
        self.draw = draw
        self.interval = interval
        self.score_thr = score_thr
        self.show = show
        self.wait_time = wait_time
        self.draw_gt = draw_gt
        self.test_out_dir = test_out_dir
        self.backend_args = backend_args
        self._test_index = 0
        self._names: Set[str] = set()

    # ------------------------------------------------------------------ set-up
    def _prepare(self, runner, loop) -> None:
        visualizer = runner.visualizer
        if not hasattr(visualizer, 'add_datasample'):
            raise TypeError(
                f'MultiTaskVisualizationHook draws with the runner\'s visualizer, which is a '
                f'{type(visualizer).__name__} without add_datasample; set visualizer = '
                "dict(type='mmmtnas.MultiTaskLocalVisualizer', ...) in the config")
        # mmengine's loops hand their dataset's metainfo to the visualizer, the multi-task
        # loops do not: give it here, whichever loop runs.
        metainfo = getattr(getattr(loop.dataloader, 'dataset', None), 'metainfo', None)
        if metainfo:
            visualizer.dataset_meta = metainfo

    def before_val(self, runner) -> None:
        """Give the visualizer the validation data's metainfo."""
        if self.draw:
            self._prepare(runner, runner.val_loop)

    def before_test(self, runner) -> None:
        """Give the visualizer the test data's metainfo; make the output folder."""
        if not self.draw:
            return
        self._prepare(runner, runner.test_loop)
        self._test_index = 0
        self._names = set()
        if self.test_out_dir is not None:
            self.test_out_dir = osp.join(runner.work_dir, runner.timestamp, self.test_out_dir)
            mkdir_or_exist(self.test_out_dir)

    # ------------------------------------------------------------------ drawing
    def _image(self, data_sample):
        img_path = data_sample.metainfo.get('img_path')
        if img_path is None:
            raise KeyError('MultiTaskVisualizationHook needs img_path in the data samples\' '
                           'metainfo (add it to the Pack* transform\'s meta_keys)')
        img_bytes = get(img_path, backend_args=self.backend_args)
        return img_path, mmcv.imfrombytes(img_bytes, channel_order='rgb')

    def _out_file(self, img_path: str) -> str:
        stem = osp.splitext(osp.basename(img_path))[0]
        name, k = stem, 0
        while name in self._names:  # two sources may use one file name
            k += 1
            name = f'{stem}_{k}'
        self._names.add(name)
        return osp.join(self.test_out_dir, f'{name}.png')

    def after_val_iter(self, runner, batch_idx: int, data_batch: dict,
                       outputs: Sequence) -> None:
        """Draw the first image of every ``interval``-th validation batch to the backends."""
        if not self.draw or not self.every_n_inner_iters(batch_idx, self.interval):
            return
        img_path, img = self._image(outputs[0])
        runner.visualizer.add_datasample(
            osp.basename(img_path) if self.show else 'val_img', img, data_sample=outputs[0],
            draw_gt=self.draw_gt, show=self.show, wait_time=self.wait_time,
            pred_score_thr=self.score_thr, step=runner.iter + batch_idx)

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        """Draw every image of every ``interval``-th test batch."""
        if not self.draw or not self.every_n_inner_iters(batch_idx, self.interval):
            return
        for data_sample in outputs:
            self._test_index += 1
            img_path, img = self._image(data_sample)
            out_file = self._out_file(img_path) if self.test_out_dir is not None else None
            runner.visualizer.add_datasample(
                osp.basename(img_path) if self.show else 'test_img', img,
                data_sample=data_sample, draw_gt=self.draw_gt, show=self.show,
                wait_time=self.wait_time, pred_score_thr=self.score_thr, out_file=out_file,
                step=self._test_index)
