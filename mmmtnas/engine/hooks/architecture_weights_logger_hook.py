"""Log a search's architecture weights over time, as scalars of mmengine's visualizer."""
from typing import Dict, Optional

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mmmtnas.registry import HOOKS
from mmmtnas.utils import unwrap_model


def architecture_weights(runner) -> Dict[str, object]:
    """The probability tables the runner's search algorithm gives now.

    Any model with ``architecture_weights()`` qualifies (the protocol of
    :class:`~mmmtnas.models.search.SearchAlgorithm`): a dict of
    :class:`~mmmtnas.models.search.ChoiceWeights` by ``/``-separated name.
    """
    model = unwrap_model(runner.model)
    if not callable(getattr(model, 'architecture_weights', None)):
        raise TypeError(f'{type(model).__name__} has no architecture_weights(): '
                        'ArchitectureWeightsLoggerHook needs a search algorithm model (e.g. '
                        'mmmtnas.BilevelSearchAlgorithm or mmmtnas.BMTASSearch)')
    return model.architecture_weights()


def weight_scalars(tables: Dict[str, object], prefix: str = 'arch') -> Dict[str, float]:
    """Flatten probability tables into ``{'<prefix>/<table>/<row>/<col>': p}``, e.g.
    ``arch/backbone/normal/edge3/sep_conv_3x3`` or ``arch/routing/semseg/layer3.1/copy1``."""
    scalars = {}
    for name, table in tables.items():
        scalars.update(table.scalars(f'{prefix}/{name}' if prefix else name))
    return scalars


@HOOKS.register_module()
class ArchitectureWeightsLoggerHook(Hook):
    """Write the architecture weights of a search to the runner's visualizer every
    ``interval`` iterations, so every visualizer backend (``LocalVisBackend``'s
    ``vis_data/scalars.json``, TensorBoard, W&B) plots them over time.

    DARTS searches: the op weights of every edge of every searchable cell
    (``arch/<part>/<cell>/edge<k>/<op>``, softmax of alpha) and, with PC-DARTS, the edge
    weights of every node (``arch/<part>/<cell>/edges/node<i>/<input>``); BMTAS: the routing
    probabilities of every task at every layer (``arch/routing/<task>/<layer>/copy<c>``).
    Values are logged at step 0 (the initial architecture, on a fresh start), after every
    ``interval`` iterations (step = iterations done) and when training ends. The heatmap of
    the same tables is drawn by :class:`ArchitectureExportHook` beside every export.

    Args:
        interval (int): Log every ``interval`` training iterations. Defaults to 50.
        prefix (str): First component of every key. Defaults to ``'arch'``.
    """

    priority = 'LOW'

    def __init__(self, interval: int = 50, prefix: str = 'arch') -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'ArchitectureWeightsLoggerHook: interval must be a positive '
                             f'number of iterations, got {interval!r}')
        self.interval = interval
        self.prefix = prefix
        self._last_step: Optional[int] = None

    def log(self, runner, step: int) -> Dict[str, float]:
        """Write the current weights at ``step``; return what was written."""
        scalars = weight_scalars(architecture_weights(runner), self.prefix)
        runner.visualizer.add_scalars(scalars, step=step)
        self._last_step = step
        return scalars

    def before_train(self, runner) -> None:
        # the model's protocol is checked before the first iteration, not after `interval`
        architecture_weights(runner)
        if runner.iter == 0 and is_main_process():
            self.log(runner, 0)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if self.every_n_train_iters(runner, self.interval) and is_main_process():
            self.log(runner, runner.iter + 1)

    def after_train(self, runner) -> None:
        if is_main_process() and self._last_step != runner.iter:
            self.log(runner, runner.iter)
