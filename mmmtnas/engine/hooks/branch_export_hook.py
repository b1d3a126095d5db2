"""Write the branch file (and a picture of the branching tree) a BMTAS search found."""
import os.path as osp
from typing import Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper

from mmmtnas.registry import HOOKS
from mmmtnas.structures.branch_file import dump_branch_file
from mmmtnas.visualization.branch_tree import draw_branch_tree


@HOOKS.register_module()
class BranchExportHook(Hook):
    """At the end of the search (and optionally every ``interval`` iterations), discretise
    the routing of a :class:`mmmtnas.BMTASSearch` model and write it as a branch file in the
    work directory, with a PNG of the branching tree beside it.

    Args:
        out_file (str): File name (relative to ``work_dir``) or path; '.json' for JSON.
            Defaults to 'branches.yaml'.
        draw (bool): Also write ``<out_file stem>.png``. Defaults to True.
        interval (int, optional): Also export every ``interval`` training iterations, to
            ``<stem>_iter_<n><ext>``. Defaults to None (only at the end).
    """
    priority = 'LOW'

    def __init__(self, out_file: str = 'branches.yaml', draw: bool = True,
                 interval: Optional[int] = None) -> None:
        if interval is not None and interval < 1:
            raise ValueError(f'interval must be a positive number of iterations, got {interval}')
        self.out_file, self.draw, self.interval = out_file, draw, interval

    def export(self, runner, path: str) -> str:
        """Write the branch file (and picture) of the runner's model to ``path``."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'derive_branches'):
            raise TypeError(f'BranchExportHook needs a BMTASSearch model, got '
                            f'{type(model).__name__}')
        structure = model.derive_branches(meta=dict(iteration=runner.iter))
        dump_branch_file(path, structure)
        if self.draw:
            draw_branch_tree(structure, osp.splitext(path)[0] + '.png')
        madds = structure.madds
        print_log(f'branch file {path}: derived encoder {madds["derived"] / 1e6:.2f} MMAdds '
                  f'(expected {madds["expected"] / 1e6:.2f}) at {madds["input_size"]}',
                  logger='current')
        return path

    def _path(self, runner, suffix: str = '') -> str:
        path = self.out_file if osp.isabs(self.out_file) else osp.join(runner.work_dir,
                                                                        self.out_file)
        stem, ext = osp.splitext(path)
        return f'{stem}{suffix}{ext}'

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.interval and self.every_n_train_iters(runner, self.interval) and \
                runner.iter < runner.max_iters and is_main_process():
            self.export(runner, self._path(runner, f'_iter_{runner.iter}'))

    def after_train(self, runner) -> None:
        if is_main_process():
            self.export(runner, self._path(runner))
