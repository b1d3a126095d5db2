"""The end-of-pipeline summary: every stage's structure files and metrics, as JSON and Markdown."""
import os.path as osp
from typing import Callable, Dict, List

import yaml
from mmengine.logging import print_log

from .model_profile import FLOPS_PER_MAC
from .stage_files import atomic_write_json, atomic_write_text

# what a complexity metric counts (model_profile's convention), shown beside its key
METRIC_LABELS = dict(macs_G='GMACs = multiply-adds, the MAdds of BMTAS',
                     flops_G=f'GFLOPs = {FLOPS_PER_MAC} x MACs, the FLOPs of MTNAS',
                     params_M='million parameters', latency_ms='CPU, batch 1, median')


def _cell_text(cell: dict) -> str:
    nodes = '; '.join(' + '.join(f'{op}({src})' for op, src in node) for node in cell['nodes'])
    return f'{nodes} | concat {cell["concat"]}'


def _fmt(value) -> str:
    if isinstance(value, float):
        return f'{value:.4g}'
    return str(value)


def _label(key: str) -> str:
    return f'{key} ({METRIC_LABELS[key]})' if key in METRIC_LABELS else key


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
            lines += ['', '| metric | value |', '|---|---|']
            lines += [f'| {_label(k)} | {_fmt(v)} |' for k, v in metrics.items() if k != 'kind']
        lines.append('')
    return '\n'.join(lines)


def write_summary(work_dir: str, names: List[str], describe: Callable[[str], dict]) -> dict:
    """Write ``summary.json`` and ``summary.md`` in ``work_dir``, print the Markdown.

    Args:
        work_dir (str): The pipeline's work dir.
        names (list[str]): Stage names, in order.
        describe (Callable[[str], dict]): Stage name -> what to show of it.

    Returns:
        dict: The summary (``stages`` keyed by name).
    """
    summary = dict(work_dir=work_dir, stages={name: describe(name) for name in names})
    atomic_write_json(osp.join(work_dir, 'summary.json'), summary)
    text = summary_markdown(summary['stages'])
    atomic_write_text(osp.join(work_dir, 'summary.md'), text)
    print_log('\n' + text, logger='current')
    return summary
