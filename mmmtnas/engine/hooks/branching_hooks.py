"""Write the branch file of a comparison method when its training run ends: FAFS after a shared
encoder's pre-training, BMN after the single-task networks' training, random branching after
any run that wrote the branch file to match. Each writes ``<work_dir>/<filename>`` (and a
picture beside it), the file BMTAS's search exports, so the branched-network retraining reads it
unchanged."""
import os.path as osp
from typing import Optional, Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmmtnas.registry import BRANCHING_METHODS, HOOKS


class _BranchingHook(Hook):
    """Common part: find the structure at the end of training, write and draw it."""

    # after every other after_train (e.g. ArchitectureExportHook, 'LOW', whose file the random
    # hook may read)
    priority = 'LOWEST'

    def __init__(self, filename: str = 'branches.yaml', draw: bool = True,
                 dataloader: Optional[dict] = None) -> None:
        self.filename = filename
        self.draw = draw
        self.dataloader = dataloader

    def path(self, runner, name: str) -> str:
        return name if osp.isabs(name) else osp.join(runner.work_dir, name)

    def images(self, runner):
        """The images to measure: ``dataloader`` if given, else the runner's validation ones."""
        if self.dataloader is not None:
            return runner.build_dataloader(self.dataloader)
        return runner.val_dataloader

    def find(self, runner):
        raise NotImplementedError

    def after_train(self, runner) -> None:
        if not is_main_process():
            return
        structure = self.find(runner)
        path = self.path(runner, self.filename)
        structure.dump(path)
        if self.draw:
            structure.draw(osp.splitext(path)[0] + '.png')
        print_log(f'{type(self).__name__}: wrote {path} ({structure.madds["derived"]:.4g} '
                  'MAdds encoder)', logger='current')


@HOOKS.register_module()
class FAFSBranchingHook(_BranchingHook):
    """FAFS (:func:`~mmmtnas.models.branched.branching_methods.fafs_branch_structure`) on the
    trained shared-encoder model.

    Args:
        penalty (float): Complexity weight (larger: cheaper tree).
        cost_input_size (Sequence[int]): ``(H, W)`` of the MAdds.
        num_images (int): Images of the task affinity. Defaults to 500.
        threshold (str): 'median' or 'mean'. Defaults to 'median'.
        filename, draw, dataloader: See :class:`BMNBranchingHook`.
    """

    def __init__(self, penalty: float, cost_input_size: Sequence[int], num_images: int = 500,
                 threshold: str = 'median', **kwargs) -> None:
        super().__init__(**kwargs)
        self.penalty = penalty
        self.cost_input_size = tuple(cost_input_size)
        self.num_images = num_images
        self.threshold = threshold

    def find(self, runner):
        fafs = BRANCHING_METHODS.get('fafs')
        return fafs(runner.model, self.images(runner), self.penalty, self.cost_input_size,
                    self.num_images, self.threshold)


@HOOKS.register_module()
class BMNBranchingHook(_BranchingHook):
    """BMN (:func:`~mmmtnas.models.branched.branching_methods.bmn_branch_structure`) on the
    trained single-task encoders.

    Args:
        cost_input_size (Sequence[int]): ``(H, W)`` of the MAdds.
        num_images (int): ``K`` images of the RDMs. Defaults to 250.
        max_madds (float, optional): MAdds budget of the encoder.
        budget (float, optional): Or a fraction from all shared (0) to all separate (1).
        feature_size (Sequence[int], optional): Pool features to this size first.
        split_layers (Sequence[str], optional): Layers where tasks may branch.
        filename (str): Output, relative to the work dir. Defaults to 'branches.yaml'.
        draw (bool): Also draw the tree (``.png`` beside it). Defaults to True.
        dataloader (dict, optional): Images to measure; defaults to the validation loader.
    """

    def __init__(self, cost_input_size: Sequence[int], num_images: int = 250,
                 max_madds: Optional[float] = None, budget: Optional[float] = None,
                 feature_size: Optional[Sequence[int]] = None,
                 split_layers: Optional[Sequence[str]] = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.cost_input_size = tuple(cost_input_size)
        self.num_images = num_images
        self.max_madds, self.budget = max_madds, budget
        self.feature_size = feature_size
        self.split_layers = split_layers

    def find(self, runner):
        bmn = BRANCHING_METHODS.get('bmn')
        return bmn(runner.model, self.images(runner), self.cost_input_size, self.num_images,
                   self.max_madds, self.budget, self.feature_size, self.split_layers)


@HOOKS.register_module()
class RandomBranchingHook(_BranchingHook):
    """A random tree at the MAdds of a branch file the run wrote (e.g. a BMTAS search's).

    Args:
        target (str): The branch file to match, relative to the work dir. Defaults to
            'branches.yaml'.
        tolerance (float): Largest relative MAdds difference. Defaults to 0.02.
        seed (int): Seed of the draws. Defaults to 0.
        filename (str): Output. Defaults to 'random_branches.yaml'.
        draw (bool): Also draw the tree. Defaults to True.
    """

    def __init__(self, target: str = 'branches.yaml', tolerance: float = 0.02, seed: int = 0,
                 filename: str = 'random_branches.yaml', draw: bool = True) -> None:
        super().__init__(filename=filename, draw=draw)
        self.target, self.tolerance, self.seed = target, tolerance, seed

    def find(self, runner):
        random_tree = BRANCHING_METHODS.get('random')
        return random_tree(self.path(runner, self.target), self.tolerance, self.seed)
