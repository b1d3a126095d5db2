"""Write the genotypes a search currently derives: at a fixed interval and at the end."""
import os.path as osp
from typing import Dict, Optional

from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmmtnas.registry import HOOKS


def search_model(runner) -> 'object':
    """The supernet a runner searches (unwrapping DDP and :class:`BilevelSearchAlgorithm`)."""
    model = runner.model.module if is_model_wrapper(runner.model) else runner.model
    return getattr(model, 'supernet', model)


def derive_search_genotypes(runner) -> Dict[str, 'object']:
    """Genotypes of every searchable part of the runner's supernet, keyed by part prefix."""
    from mmmtnas.models.nas import derive_genotypes  # the model zoo is imported lazily
    return derive_genotypes(search_model(runner))


@HOOKS.register_module()
class GenotypeExportHook(Hook):
    """Export the derived genotypes (with the alphas and the step) during and after a search.

    Files (in ``out_dir``): ``genotype_iter_<step>.<ext>`` every ``interval`` iterations and
    ``genotype_final.<ext>`` when training ends, each written atomically by
    :func:`mmmtnas.structures.genotype.dump_genotype_file`; with ``draw=True`` a picture of
    every part's cells beside each file (``<file stem>.png``, by
    :func:`mmmtnas.visualization.cell_graph.draw_genotype`).

    Args:
        interval (int): Export every ``interval`` training iterations. Defaults to 500.
        out_dir (str, optional): Output folder. None uses ``<work_dir>/genotypes``.
        file_format (str): ``'yaml'`` or ``'json'``. Defaults to ``'yaml'``.
        draw (bool): Also draw the cells. Defaults to True.
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 500,
                 out_dir: Optional[str] = None,
                 file_format: str = 'yaml',
                 draw: bool = True) -> None:
        if interval <= 0:
            raise ValueError(f'GenotypeExportHook: interval must be > 0, got {interval}')
        if file_format not in ('yaml', 'json'):
            raise ValueError(f"GenotypeExportHook: file_format must be 'yaml' or 'json', "
                             f'got {file_format!r}')
        self.interval = interval
        self.out_dir = out_dir
        self.file_format = file_format
        self.draw = draw

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval):
            self.export(runner, f'genotype_iter_{runner.iter + 1}', runner.iter + 1)

    def after_train(self, runner) -> None:
        self.export(runner, 'genotype_final', runner.iter)

    @master_only
    def export(self, runner, stem: str, step: int) -> str:
        """Derive, write (and draw) the genotypes; return the file path."""
        from mmmtnas.structures.genotype import dump_genotype_file
        out_dir = self.out_dir or osp.join(runner.work_dir, 'genotypes')
        genotypes = derive_search_genotypes(runner)
        alphas = search_model(runner).arch_params.values_dict()
        path = osp.join(out_dir, f'{stem}.{self.file_format}')
        dump_genotype_file(path, genotypes, alphas=alphas, step=step)
        if self.draw:
            from mmmtnas.visualization.cell_graph import draw_genotype
            draw_genotype(genotypes, osp.join(out_dir, f'{stem}.png'), title=f'step {step}')
        return path
