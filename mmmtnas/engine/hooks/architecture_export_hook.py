"""Write what a search has found: its structure file (and a picture) during and after it."""
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmmtnas.registry import HOOKS
from mmmtnas.utils import unwrap_model


def export_architecture(runner, iteration: int):
    """The structure the runner's search algorithm derives now.

    Any model with ``export_architecture(meta)`` qualifies (the protocol of
    :class:`~mmmtnas.models.search.SearchAlgorithm`); what it returns can ``validate``,
    ``dump``, ``draw`` and give its ``signature``.
    """
    model = unwrap_model(runner.model)
    if not callable(getattr(model, 'export_architecture', None)):
        raise TypeError(f'{type(model).__name__} has no export_architecture(): architecture '
                        'hooks need a search algorithm model (e.g. mmmtnas.BilevelSearchAlgorithm'
                        ' or mmmtnas.BMTASSearch)')
    return model.export_architecture(meta=dict(iteration=int(iteration)))


@HOOKS.register_module()
class ArchitectureExportHook(Hook):
    """Export the searched structure (a genotype file for DARTS searches, a branch file for
    BMTAS) at a fixed interval and when training ends.

    Files: ``<work_dir>/<filename>`` when training ends (default: the structure's own
    ``default_filename``, ``genotype.yaml`` or ``branches.yaml``), with a picture beside it
    (``<stem>.png``); every ``interval`` iterations ``<out_dir>/<stem>_iter_<n><ext>``. Beside
    every export, ``<stem>[_iter_<n>]_weights.png``: the heatmap of the architecture weights it
    was derived from (the model's ``architecture_weights()``: op weights per edge for DARTS,
    routing probabilities per layer and task for BMTAS). Every file is written atomically, by
    the main process only.

    Args:
        interval (int, optional): Also export every ``interval`` training iterations.
            Defaults to None (only at the end).
        filename (str, optional): File name of the final export, relative to ``work_dir``
            (or absolute); ``.json`` writes JSON. Defaults to the structure's default name.
        out_dir (str, optional): Folder of the periodic exports. Defaults to
            ``<work_dir>/architectures``.
        draw (bool): Draw the final export. Defaults to True.
        draw_interval_exports (bool): Also draw every periodic export (slow). Defaults to
            False.
        draw_weights (bool): Draw the architecture weights beside every export (final and
            periodic; a quick heatmap). Defaults to True.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: Optional[int] = None,
                 filename: Optional[str] = None,
                 out_dir: Optional[str] = None,
                 draw: bool = True,
                 draw_interval_exports: bool = False,
                 draw_weights: bool = True) -> None:
        if interval is not None and interval < 1:
            raise ValueError(f'ArchitectureExportHook: interval must be a positive number of '
                             f'iterations, got {interval}')
        self.interval = interval
        self.filename = filename
        self.out_dir = out_dir
        self.draw = draw
        self.draw_interval_exports = draw_interval_exports
        self.draw_weights = draw_weights

    def final_path(self, runner, structure) -> str:
        """Where the final export goes."""
        name = self.filename or structure.default_filename
        return name if osp.isabs(name) else osp.join(runner.work_dir, name)

    def write(self, structure, path: str, draw: bool, runner=None, step=None) -> str:
        """Validate, dump (and draw) ``structure`` at ``path`` (with ``runner``: the heatmap
        of its architecture weights beside it); return ``path``."""
        structure.validate(path)
        structure.dump(path)
        stem = osp.splitext(path)[0]
        if draw:
            structure.draw(stem + '.png')
        if self.draw_weights and runner is not None:
            self.write_weights(runner, stem + '_weights.png', step)
        return path

    @staticmethod
    def write_weights(runner, path: str, step: int) -> Optional[str]:
        """Draw the model's architecture weights to ``path`` (nothing for a model without
        ``architecture_weights()``)."""
        model = unwrap_model(runner.model)
        if not callable(getattr(model, 'architecture_weights', None)):
            return None
        from mmmtnas.visualization.architecture_weights import draw_architecture_weights
        return draw_architecture_weights(model.architecture_weights(), path,
                                         title=f'architecture weights, iteration {step}')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not (self.interval and self.every_n_train_iters(runner, self.interval)
                and is_main_process()):
            return
        step = runner.iter + 1
        structure = export_architecture(runner, step)
        stem, ext = osp.splitext(osp.basename(self.final_path(runner, structure)))
        out_dir = self.out_dir or osp.join(runner.work_dir, 'architectures')
        self.write(structure, osp.join(out_dir, f'{stem}_iter_{step}{ext}'),
                   self.draw_interval_exports, runner, step)

    def after_train(self, runner) -> None:
        if not is_main_process():
            return
        structure = export_architecture(runner, runner.iter)
        path = self.write(structure, self.final_path(runner, structure), self.draw, runner,
                          runner.iter)
        print_log(f'ArchitectureExportHook: wrote {path} (iteration {runner.iter})',
                  logger='current')
