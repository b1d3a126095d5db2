"""NYUD-v2 multi-task split (ASTMT / MTI-Net layout): 4 dense tasks per image."""
import os.path as osp
from typing import List, Sequence

from mmengine.dataset import BaseDataset

from mmmtnas.registry import DATASETS
from .pascal_context_mt import check_dir, read_split

NYUD_TASKS = ('semseg', 'depth', 'normals', 'edge')


@DATASETS.register_module()
class NYUDMTDataset(BaseDataset):
    """NYUD-v2 for multi-task learning, in the on-disk layout of ASTMT's ``NYUD_MT``.

    ::

        data_root/
          images/<id>.jpg
          segmentation/<id>.png   0 = unlabelled (ignored), 1..40 = NYU-40 classes
          depth/<id>.npy          float metres, 0 = no measurement
          normals/<id>.npy        (H, W, 3) float in [-1, 1]
          edge/<id>.npy           (H, W) 0/1
          gt_sets/{train,val}.txt

    Args:
        data_root (str): Root of the layout above.
        split (str): ``'train'`` or ``'val'`` (file in ``gt_sets``).
        tasks (Sequence[str]): Subset of ``NYUD_TASKS``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO = dict(
        classes=('wall', 'floor', 'cabinet', 'bed', 'chair', 'sofa', 'table', 'door', 'window',
                 'bookshelf', 'picture', 'counter', 'blinds', 'desk', 'shelves', 'curtain',
                 'dresser', 'pillow', 'mirror', 'floor mat', 'clothes', 'ceiling', 'books',
                 'refrigerator', 'television', 'paper', 'towel', 'shower curtain', 'box',
                 'whiteboard', 'person', 'night stand', 'toilet', 'sink', 'lamp', 'bathtub',
                 'bag', 'otherstructure', 'otherfurniture', 'otherprop'),
        tasks=NYUD_TASKS)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Sequence[str] = NYUD_TASKS,
                 **kwargs) -> None:
        unknown = set(tasks) - set(NYUD_TASKS)
        if unknown:
            raise KeyError(f'unknown NYUD tasks {sorted(unknown)}; expected a subset of '
                           f'{NYUD_TASKS}')
        self.split = split
        self.tasks = tuple(tasks)
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per image id of the split; every needed file must exist."""
        root = self.data_root
        check_dir(root, 'NYUD-v2 multi-task data root')
        ids = read_split(osp.join(root, 'gt_sets', f'{self.split}.txt'))
        folders = dict(semseg=('segmentation', '.png'), depth=('depth', '.npy'),
                       normals=('normals', '.npy'), edge=('edge', '.npy'))
        data_list = []
        for img_id in ids:
            ann_paths = {t: osp.join(root, folders[t][0], img_id + folders[t][1])
                         for t in self.tasks}
            info = dict(img_path=osp.join(root, 'images', f'{img_id}.jpg'), img_id=img_id,
                        dense_tasks=self.tasks, ann_paths=ann_paths, ann_format='nyud_mt')
            for path in [info['img_path'], *ann_paths.values()]:
                if not osp.isfile(path):
                    raise FileNotFoundError(f'{img_id}: missing file {path}')
            data_list.append(info)
        return data_list
