"""The end-of-pipeline summary: every stage's structure files and metrics, as JSON and Markdown.

Accuracy metrics are shown in one unit, percent: mmseg, mmpretrain and the dense-task metrics
report percent, mmdet's VOC / COCO metrics report AP and AR as fractions (0-1), which the
summary multiplies by 100 (the stages' own ``metrics.json`` keep what the evaluators returned).
"""
import logging
import os.path as osp
import re
from typing import Callable, Dict, List

import yaml
from mmengine.logging import print_log

from .model_profile import FLOPS_PER_MAC
from .stage_files import atomic_write_json, atomic_write_text

# what a complexity metric counts (model_profile's convention), shown beside its key
METRIC_LABELS = dict(macs_G='GMACs = multiply-adds, the MAdds of BMTAS',
                     flops_G=f'GFLOPs = {FLOPS_PER_MAC} x MACs, the FLOPs of MTNAS',
                     params_M='million parameters', latency_ms='CPU, batch 1, median',
                     latency_ort_ms='ONNX Runtime, CPU, batch 1, median')
# mmdet's VOCMetric / CocoMetric names (the last key component): AP and AR as fractions
_FRACTION_METRIC = re.compile(r'^((bbox|segm|proposal)_)?(mAP|AP\d*|AR)([_@].*)?$|^recall@')
UNITS = "accuracy in %; mmdet's 0-1 AP / AR x 100"
VALUE_HEADER = f'value ({UNITS})'


def is_fraction_metric(key: str) -> bool:
    """Whether ``key`` (``'det/mAP'``, ``'det/pascal_voc/AP50'``, ``'coco/bbox_mAP_50'``) is
    one of mmdet's AP / AR metrics, which it reports in [0, 1]."""
    return bool(_FRACTION_METRIC.match(key.rsplit('/', 1)[-1]))


def metrics_in_percent(metrics: dict) -> dict:
    """``metrics`` with mmdet's fractions (:func:`is_fraction_metric`, a number in [0, 1])
    multiplied by 100, so that every accuracy metric of the summary is in percent (mmdet's -1,
    "not computed", is kept)."""
    out = {}
    for key, value in metrics.items():
        if (isinstance(value, (int, float)) and not isinstance(value, bool)
                and is_fraction_metric(key) and 0. <= value <= 1.):
            value = 100. * value
        out[key] = value
    return out


def _cell_text(cell: dict) -> str:
    nodes = '; '.join(' + '.join(f'{op}({src})' for op, src in node) for node in cell['nodes'])
    return f'{nodes} | concat {cell["concat"]}'


def _fmt(value) -> str:
    if isinstance(value, float):
        return f'{value:.4g}'
    return str(value)


def _label(key: str, metrics: dict) -> str:
    if key in METRIC_LABELS:
        return f'{key} ({METRIC_LABELS[key]})'
    if key.startswith('train/') and 'loss' in key and metrics.get('loss_window'):
        return f'{key} (mean of the last {metrics["loss_window"]} iterations)'
    return key


def describe_structure(path: str) -> dict:
    """What the summary shows of a structure file a stage declared: a genotype file's cells
    per part, a branch file's task groups per layer (other files: the path only)."""
    from mmmtnas.structures import load_branch_file, load_genotype_file
    try:
        with open(path) as f:  # YAML reads JSON too
            data = yaml.safe_load(f)
    except (UnicodeDecodeError, yaml.YAMLError):  # a checkpoint, a picture, ...
        return dict(file=path)
    kind = data.get('format') if isinstance(data, dict) else None
    if kind == 'mmmtnas-genotype':
        return dict(file=path, genotypes={p: g.to_dict()
                                          for p, g in load_genotype_file(path).items()})
    if kind == 'mmmtnas-branches':
        return dict(file=path, groups=load_branch_file(path).groups())
    return dict(file=path)


def summary_markdown(stages: Dict[str, dict]) -> str:
    """Render the summary as Markdown: one section per stage."""
    lines = ['# Pipeline summary', '']
    for name, info in stages.items():
        state = 'done' if info.get('done') else 'not done'
        lines += [f'## {name} ({info.get("kind")}, {state})', '']
        for output, structure in (info.get('structures') or {}).items():
            lines.append(f'- {output}: `{structure["file"]}`')
            for part, genotype in (structure.get('genotypes') or {}).items():
                for key, cell in genotype['cells'].items():
                    lines.append(f'  - genotype `{part}.{key}`: {_cell_text(cell)}')
            for layer, groups in (structure.get('groups') or {}).items():
                text = ' | '.join(', '.join(group) for group in groups)
                lines.append(f'  - layer `{layer}`: {text}')
        metrics = info.get('metrics') or {}
        if metrics:
            lines += ['', f'| metric | {VALUE_HEADER} |', '|---|---|']
            lines += [f'| {_label(k, metrics)} | {_fmt(v)} |' for k, v in metrics.items()
                      if k != 'kind']
        lines.append('')
    return '\n'.join(lines)


def write_summary(work_dir: str, names: List[str], describe: Callable[[str], dict]) -> dict:
    """Write ``summary.json`` and ``summary.md`` in ``work_dir``, print the Markdown and
    where both files are.

    Args:
        work_dir (str): The pipeline's work dir.
        names (list[str]): Stage names, in order.
        describe (Callable[[str], dict]): Stage name -> what to show of it; its ``metrics``
            are put in percent (:func:`metrics_in_percent`).

    Returns:
        dict: The summary (``stages`` keyed by name).
    """
    stages = {}
    for name in names:
        info = describe(name)
        if info.get('metrics'):
            info = dict(info, metrics=metrics_in_percent(info['metrics']))
        stages[name] = info
    summary = dict(work_dir=work_dir, units=UNITS, stages=stages)
    json_path, md_path = osp.join(work_dir, 'summary.json'), osp.join(work_dir, 'summary.md')
    atomic_write_json(json_path, summary)
    text = summary_markdown(summary['stages'])
    atomic_write_text(md_path, text)
    print_log('\n' + text, logger='current')
    print_log(f'pipeline: summary written to {md_path} (and {json_path})', logger='current',
              level=logging.INFO)
    return summary
