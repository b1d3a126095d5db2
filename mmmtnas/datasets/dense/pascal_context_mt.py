"""PASCAL-Context multi-task split (ASTMT / BMTAS layout): 5 dense tasks per image."""
import os.path as osp
from typing import List, Optional, Sequence

from mmengine.dataset import BaseDataset

from mmmtnas.registry import DATASETS

PASCAL_TASKS = ('semseg', 'human_parts', 'sal', 'normals', 'edge')


def check_dir(path: str, what: str) -> None:
    """Raise a one-line FileNotFoundError when ``path`` is not a directory."""
    if not osp.isdir(path):
        raise FileNotFoundError(f'{what} not found: {path}')


def read_split(path: str) -> List[str]:
    """Image ids of a split file (one per line)."""
    if not osp.isfile(path):
        raise FileNotFoundError(f'split file not found: {path}')
    with open(path) as f:
        ids = [line.strip() for line in f if line.strip()]
    if not ids:
        raise ValueError(f'split file lists no images: {path}')
    return ids


@DATASETS.register_module()
class PascalContextMTDataset(BaseDataset):
    """PASCAL-Context for multi-task learning, in the on-disk layout of ASTMT's ``PASCAL_MT``.

    ::

        data_root/
          JPEGImages/<id>.jpg
          semseg/VOC12/<id>.png or semseg/pascal-context/<id>.png   21 classes, 255 = ignore
          human_parts/<id>.mat            PASCAL-Part ``anno`` struct (objects -> parts)
          sal_distill/<id>.png            distilled saliency, 0..255
          normals_distill/<id>.png        distilled normals, RGB = (n + 1) / 2 * 255
          pascal-context/trainval/<id>.mat  Context ``LabelMap`` (edges; valid normals)
          ImageSets/Context/{train,val}.txt

    Each data info holds the image path, one annotation path per task (``ann_paths``) and the
    decoding options read by :class:`LoadDenseAnnotations`.

    Args:
        data_root (str): Root of the layout above.
        split (str): ``'train'`` or ``'val'`` (file in ``ImageSets/Context``).
        tasks (Sequence[str]): Subset of ``PASCAL_TASKS`` to load.
        num_human_parts (int): Part grouping: 1, 4, 6 or 14. Defaults to 6 (BMTAS).
        normals_valid_classes (Sequence[int], optional): Context labels on which the distilled
            normals count (ASTMT uses the Context classes that also occur in NYUD). None: every
            labelled (non-zero) Context pixel.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset` (``pipeline``, ...).
    """

    METAINFO = dict(
        classes=('background', 'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car',
                 'cat', 'chair', 'cow', 'diningtable', 'dog', 'horse', 'motorbike', 'person',
                 'pottedplant', 'sheep', 'sofa', 'train', 'tvmonitor'),
        human_parts_classes=('background', 'head', 'torso', 'upper arm', 'lower arm',
                             'upper leg', 'lower leg'),
        tasks=PASCAL_TASKS)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Sequence[str] = PASCAL_TASKS,
                 num_human_parts: int = 6,
                 normals_valid_classes: Optional[Sequence[int]] = None,
                 **kwargs) -> None:
        unknown = set(tasks) - set(PASCAL_TASKS)
        if unknown:
            raise KeyError(f'unknown PASCAL-Context tasks {sorted(unknown)}; '
                           f'expected a subset of {PASCAL_TASKS}')
        if num_human_parts not in (1, 4, 6, 14):
            raise ValueError(f'num_human_parts must be 1, 4, 6 or 14, got {num_human_parts}')
        self.split = split
        self.tasks = tuple(tasks)
        self.num_human_parts = num_human_parts
        self.normals_valid_classes = (tuple(int(c) for c in normals_valid_classes)
                                      if normals_valid_classes is not None else None)
        super().__init__(data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One data info per image id of the split; every needed file must exist."""
        root = self.data_root
        check_dir(root, 'PASCAL-Context multi-task data root')
        ids = read_split(osp.join(root, 'ImageSets', 'Context', f'{self.split}.txt'))
        data_list = []
        for img_id in ids:
            context_mat = osp.join(root, 'pascal-context', 'trainval', f'{img_id}.mat')
            paths = dict(
                semseg=self._semseg_path(img_id),
                human_parts=osp.join(root, 'human_parts', f'{img_id}.mat'),
                sal=osp.join(root, 'sal_distill', f'{img_id}.png'),
                normals=osp.join(root, 'normals_distill', f'{img_id}.png'),
                edge=context_mat)
            ann_paths = {t: paths[t] for t in self.tasks}
            if 'normals' in self.tasks:
                ann_paths['context_labels'] = context_mat
            info = dict(
                img_path=osp.join(root, 'JPEGImages', f'{img_id}.jpg'), img_id=img_id,
                dense_tasks=self.tasks, ann_paths=ann_paths, ann_format='pascal_mt',
                num_human_parts=self.num_human_parts,
                normals_valid_classes=self.normals_valid_classes)
            for path in [info['img_path'], *ann_paths.values()]:
                if not osp.isfile(path):
                    raise FileNotFoundError(f'{img_id}: missing file {path}')
            data_list.append(info)
        return data_list

    def _semseg_path(self, img_id: str) -> str:
        # ASTMT prefers the VOC12 labels where they exist, else the Context-derived ones.
        voc = osp.join(self.data_root, 'semseg', 'VOC12', f'{img_id}.png')
        if osp.isfile(voc):
            return voc
        return osp.join(self.data_root, 'semseg', 'pascal-context', f'{img_id}.png')
