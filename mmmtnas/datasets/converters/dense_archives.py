"""PASCAL_MT.tgz / NYUD_MT.tgz (the published multi-task archives) -> the layouts the loaders read.

Each archive is read in one streaming pass (a ``.tgz`` of several GB is never unpacked whole):
members under the folders the loader needs are written below ``out_dir`` (a single top folder
such as ``PASCAL_MT/`` is dropped), anything else is skipped and counted. Then every image id
of the split files is checked to have every file, and a missing one is an error naming the
archive and the members it lacks.

- PASCAL-Context MT (ASTMT's ``PASCAL_MT.tgz``, also used by MTI-Net and BMTAS): the archive
  already has the layout of :class:`mmmtnas.PascalContextMTDataset`; the members are copied.
- NYUD-v2 MT exists in two published layouts, and :class:`mmmtnas.NYUDMTDataset` reads the
  second: ASTMT's ``NYUD_MT.tgz`` (``segmentation/<id>.mat`` key ``segmentation``,
  ``depth/<id>.mat`` key ``depth``, ``normals/<id>.jpg`` as ``(n + 1) / 2 * 255``,
  ``edge/<id>.png`` as ``255 * edge``) and MTI-Net's ``NYUD_MT.tgz`` (``segmentation/<id>.png``,
  ``depth``, ``normals``, ``edge`` as ``.npy``). Members of the first kind are decoded as the
  ASTMT loader decodes them and written in the second; members of the second are copied.
"""
import argparse
import gzip
import io
import os
import os.path as osp
import tarfile
import zlib
from collections import Counter
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image
from scipy import io as sio

PASCAL_FOLDERS = ('JPEGImages', 'semseg', 'human_parts', 'sal_distill', 'normals_distill',
                  'pascal-context', 'ImageSets')
NYUD_FOLDERS = ('images', 'segmentation', 'depth', 'normals', 'edge', 'gt_sets')
SPLITS = ('train', 'val')
_SHOWN = 5  # missing members named in an error


class ArchiveLayoutError(ValueError):
    """The archive lacks members the loader needs."""


def _relative(name: str, folders: Sequence[str]) -> Tuple[Optional[str], str]:
    """``(path below the layout root, top folder prefix)``; the path is None when the member
    is not under ``folders``."""
    parts = [p for p in name.replace('\\', '/').split('/') if p not in ('', '.')]
    if '..' in parts or name.startswith('/'):
        return None, ''
    for start in (0, 1):  # with or without one top folder (PASCAL_MT/, NYUD_MT/)
        if len(parts) > start + 1 and parts[start] in folders:
            return '/'.join(parts[start:]), ''.join(p + '/' for p in parts[:start])
    return None, ''


def _stream(archive: str, folders: Sequence[str], out_dir: str,
            write: Callable[[str, bytes, str], Optional[str]]) -> Tuple[Counter, str]:
    """Hand each regular member under ``folders`` to ``write(rel, data, out_dir)``.

    Returns the counts (``written``, ``skipped``) and the top folder seen (for messages).
    """
    if not osp.isfile(archive):
        raise FileNotFoundError(f'archive not found: {archive}')
    counts, top = Counter(), ''
    try:
        tar = tarfile.open(archive, 'r|*')
    except tarfile.TarError as e:
        raise ValueError(f'{archive}: not a tar archive ({e})') from None
    with tar:
        try:
            for member in tar:
                rel, prefix = _relative(member.name, folders) if member.isfile() else (None, '')
                if rel is None:
                    counts['skipped'] += member.isfile()
                    continue
                top = top or prefix
                data = tar.extractfile(member).read()
                counts['written'] += write(rel, data, out_dir) is not None
        except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as e:
            raise ValueError(f'{archive}: truncated or corrupt archive after '
                             f'{counts["written"]} members ({e})') from None
    return counts, top


def _copy(rel: str, data: bytes, out_dir: str) -> str:
    path = osp.join(out_dir, *rel.split('/'))
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def _split_ids(out_dir: str, rel_dir: str, archive: str, top: str) -> Dict[str, List[str]]:
    ids = {}
    for split in SPLITS:
        path = osp.join(out_dir, rel_dir, f'{split}.txt')
        if not osp.isfile(path):
            raise ArchiveLayoutError(f'{archive}: no member {top}{rel_dir}/{split}.txt (the '
                                     'split file); is this the right archive?')
        with open(path) as f:
            ids[split] = [line.strip() for line in f if line.strip()]
    return ids


def _raise_missing(archive: str, what: str, missing: List[str]) -> None:
    if missing:
        shown = ', '.join(missing[:_SHOWN]) + (', ...' if len(missing) > _SHOWN else '')
        raise ArchiveLayoutError(f'{archive}: {len(missing)} member(s) needed by the images '
                                 f'of {what} are missing: {shown}')


def convert_pascal_mt(archive: str, out_dir: str) -> dict:
    """Unpack ``PASCAL_MT.tgz`` to the layout of :class:`mmmtnas.PascalContextMTDataset`.

    Args:
        archive (str): The archive (any compression ``tarfile`` reads).
        out_dir (str): The data root to write (e.g. ``data/PASCAL_MT``).

    Returns:
        dict: ``written``, ``skipped`` (members), and the image count per split.

    Raises:
        ArchiveLayoutError: A split file or a file of a listed image is missing.
    """
    counts, top = _stream(archive, PASCAL_FOLDERS, out_dir, _copy)
    ids = _split_ids(out_dir, 'ImageSets/Context', archive, top)
    missing = []
    for split, split_ids in ids.items():
        for img_id in split_ids:
            need = [f'JPEGImages/{img_id}.jpg', f'human_parts/{img_id}.mat',
                    f'sal_distill/{img_id}.png', f'normals_distill/{img_id}.png',
                    f'pascal-context/trainval/{img_id}.mat']
            missing += [top + rel for rel in need if not osp.isfile(osp.join(out_dir, rel))]
            if not any(osp.isfile(osp.join(out_dir, 'semseg', d, f'{img_id}.png'))
                       for d in ('VOC12', 'pascal-context')):
                missing.append(f'{top}semseg/VOC12/{img_id}.png (or semseg/pascal-context/)')
    _raise_missing(archive, top + 'ImageSets/Context/{train,val}.txt', missing)
    return dict(written=counts['written'], skipped=counts['skipped'],
                **{split: len(v) for split, v in ids.items()})


def _png_array(data: bytes) -> np.ndarray:
    return np.array(Image.open(io.BytesIO(data)))


def _save_npy(path: str, array: np.ndarray) -> None:
    with open(path, 'wb') as f:
        np.save(f, array)


def _nyud_write(rel: str, data: bytes, out_dir: str) -> Optional[str]:
    """Write one NYUD member in MTI-Net's layout, decoding ASTMT's formats (module docstring)."""
    folder, name = rel.split('/', 1)
    stem, ext = osp.splitext(name)
    ext = ext.lower()
    target = {'images': '.jpg', 'segmentation': '.png', 'gt_sets': '.txt'}.get(folder, '.npy')
    if ext == target:
        return _copy(rel, data, out_dir)
    path = osp.join(out_dir, folder, stem + target)
    os.makedirs(osp.dirname(path), exist_ok=True)
    if folder == 'segmentation' and ext == '.mat':
        seg = sio.loadmat(io.BytesIO(data))['segmentation']
        if seg.min() < 0 or seg.max() > 255:
            raise ValueError(f'{rel}: segmentation values outside 0..255')
        Image.fromarray(seg.astype(np.uint8)).save(path)
    elif folder == 'depth' and ext == '.mat':
        _save_npy(path, sio.loadmat(io.BytesIO(data))['depth'].astype(np.float32))
    elif folder == 'normals' and ext in ('.jpg', '.png'):
        rgb = _png_array(data)[..., :3].astype(np.float32)
        _save_npy(path, 2.0 * rgb / 255.0 - 1.0)
    elif folder == 'edge' and ext == '.png':
        _save_npy(path, _png_array(data).astype(np.float32) / 255.0)
    else:
        return None  # another file type (e.g. a README) in a layout folder
    return path


def convert_nyud_mt(archive: str, out_dir: str) -> dict:
    """Unpack either ``NYUD_MT.tgz`` to the layout of :class:`mmmtnas.NYUDMTDataset`.

    Args:
        archive (str): ASTMT's or MTI-Net's archive.
        out_dir (str): The data root to write (e.g. ``data/NYUD_MT``).

    Returns:
        dict: ``written``, ``skipped`` (members), and the image count per split.

    Raises:
        ArchiveLayoutError: A split file or a file of a listed image is missing.
    """
    counts, top = _stream(archive, NYUD_FOLDERS, out_dir, _nyud_write)
    ids = _split_ids(out_dir, 'gt_sets', archive, top)
    need = dict(images='.jpg', segmentation='.png (or .mat)', depth='.npy (or .mat)',
                normals='.npy (or .jpg)', edge='.npy (or .png)')
    missing = []
    for split_ids in ids.values():
        for img_id in split_ids:
            for folder, ext in need.items():
                if not osp.isfile(osp.join(out_dir, folder, img_id + ext.split(' ')[0])):
                    missing.append(f'{top}{folder}/{img_id}{ext}')
    _raise_missing(archive, top + 'gt_sets/{train,val}.txt', missing)
    return dict(written=counts['written'], skipped=counts['skipped'],
                **{split: len(v) for split, v in ids.items()})


def archive_cli(convert: Callable[[str, str], dict], archive_name: str, default_out: str,
                description: str, argv: Optional[Sequence[str]] = None) -> dict:
    """The command line of ``tools/dataset_converters/{pascal,nyud}_mt.py``: ``ARCHIVE [--out
    DIR]``, then ``convert`` and a one-line summary.

    Args:
        convert (Callable): :func:`convert_pascal_mt` or :func:`convert_nyud_mt`.
        archive_name (str): The archive's file name, shown by ``--help``.
        default_out (str): The data root ``--out`` defaults to.
        description (str): The tool's one-line description.
        argv (Sequence[str], optional): The arguments; ``sys.argv[1:]`` when None.

    Returns:
        dict: ``convert``'s report.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('archive', help=archive_name)
    parser.add_argument('--out', default=default_out, help='data root to write')
    args = parser.parse_args(argv)
    report = convert(args.archive, args.out)
    print(f"{args.out}: train {report['train']} / val {report['val']} images, all files "
          f"present ({report['written']} written, {report['skipped']} other members skipped)")
    return report
