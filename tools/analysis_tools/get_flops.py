"""FLOPs and parameters of a model config, per task branch and in total.

    python tools/analysis_tools/get_flops.py CONFIG [--shape H W] [--cfg-options k=v ...]
                                                    [--json OUT.json]

Counts come from MMEngine's complexity analysis (``mmengine.analysis.FlopAnalyzer``, jit
tracing of ``model(inputs)`` in 'tensor' mode, batch 1), in the project's one convention
(``mmmtnas.engine.runner.model_profile``): ``macs`` are multiply-accumulates (what the analyzer
counts), ``flops`` = 2 x MACs (the MTNAS paper's FLOPs); both are printed, labelled.

The input size is ``--shape``, else the config's ``input_size`` (H, W), else the ``scale`` of the
first ``Resize`` in the test pipeline. Top-level parts of the model are grouped: parts named
after a task (``det_head``, ``det_neck``, ``seg_head``) form that task's branch, the others
(backbone, neck) are shared; a task's inference path is shared + its branch.
"""
import argparse
import json
from typing import Dict, Optional, Tuple

import torch
from mmengine.analysis import parameter_count
from mmengine.config import Config, DictAction

from mmmtnas.engine.runner.model_profile import CONVENTION, FLOPS_PER_MAC, mac_analyzer
from mmmtnas.registry import MODELS, register_all_modules
from mmmtnas.structures.file_io import write_text_atomically
from mmmtnas.utils.cli import load_config, run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='FLOPs and parameters per task branch')
    parser.add_argument('config', help='config file path')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width (default: from the config)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    return parser.parse_args(argv)


def _find_resize_scale(obj) -> Optional[Tuple[int, int]]:
    """(H, W) from the first Resize ``scale`` (W, H) met in a (nested) dataloader config."""
    if isinstance(obj, dict):
        if 'Resize' in str(obj.get('type', '')) and obj.get('scale') is not None:
            w, h = obj['scale']
            return int(h), int(w)
        items = obj.values()
    elif isinstance(obj, (list, tuple)):
        items = obj
    else:
        return None
    for item in items:
        found = _find_resize_scale(item)
        if found is not None:
            return found
    return None


def input_shape(cfg: Config, shape: Optional[Tuple[int, int]] = None) -> Tuple[int, int]:
    """The (H, W) input size to analyse the model at.

    Raises:
        ValueError: Neither ``--shape``, ``input_size`` nor a Resize in the test pipeline.
    """
    if shape is not None:
        return tuple(shape)
    if cfg.get('input_size') is not None:
        return tuple(cfg.input_size)
    found = _find_resize_scale(cfg.get('test_dataloader'))
    if found is None:
        raise ValueError(f'{cfg.filename}: no input_size and no Resize in test_dataloader; '
                         'pass --shape H W')
    return found


def _figures(macs: int, params: int) -> dict:
    return dict(macs=int(macs), flops=FLOPS_PER_MAC * int(macs), params=int(params))


def branch_complexity(model: torch.nn.Module, shape: Tuple[int, int]) -> Dict[str, dict]:
    """MACs, FLOPs (2 x MACs) and parameters of each part, task branch and the whole model.

    Args:
        model (nn.Module): A model whose ``forward(inputs)`` runs every head ('tensor' mode).
        shape (tuple[int, int]): Input (H, W).

    Returns:
        dict: ``parts`` (top-level module -> macs, flops, params), ``branches`` (shared /
        <task> -> the same), ``paths`` (<task> -> shared + branch), ``total``, ``convention``.
    """
    model.eval()
    analyzer = mac_analyzer(model, (torch.zeros(1, 3, *shape), ))
    by_module = analyzer.by_module()
    params = parameter_count(model)
    tasks = tuple(getattr(model, 'tasks', ()))
    parts = {name: _figures(by_module.get(name, 0), params.get(name, 0))
             for name, _ in model.named_children() if name != 'data_preprocessor'}
    sums = {'shared': [0, 0], **{t: [0, 0] for t in tasks}}
    for name, fig in parts.items():
        owner = next((t for t in tasks if name.startswith(f'{t}_') or name == t), 'shared')
        sums[owner][0] += fig['macs']
        sums[owner][1] += fig['params']
    branches = {name: _figures(*fig) for name, fig in sums.items()}
    paths = {t: _figures(sums['shared'][0] + sums[t][0], sums['shared'][1] + sums[t][1])
             for t in tasks}
    total = _figures(analyzer.total(), params[''])
    return dict(input_shape=list(shape), parts=parts, branches=branches, paths=paths,
                total=total, convention=f'{CONVENTION}; batch 1')


def format_report(result: dict) -> str:
    """A plain-text table of :func:`branch_complexity`'s figures."""
    h, w = result['input_shape']
    lines = [f'input {h}x{w} (H x W), batch 1; {CONVENTION}',
             f'{"":<28}{"GMACs":>9}{"GFLOPs":>9}{"params (M)":>12}']

    def row(name, fig):
        lines.append(f'{name:<28}{fig["macs"] / 1e9:>9.3f}{fig["flops"] / 1e9:>9.3f}'
                     f'{fig["params"] / 1e6:>12.3f}')

    for name, fig in result['parts'].items():
        row(f'  {name}', fig)
    for name, fig in result['branches'].items():
        row(f'branch {name}', fig)
    for name, fig in result['paths'].items():
        row(f'path {name} (shared+{name})', fig)
    row('total', result['total'])
    return '\n'.join(lines)


def report(result: dict, text: str, json_file: Optional[str]) -> dict:
    """Print a tool's ``text`` report; write its ``result`` to ``json_file`` if given.

    Args:
        result (dict): The figures.
        text (str): Their human-readable report.
        json_file (str, optional): JSON file to write (atomically), or None.

    Returns:
        dict: ``result``.
    """
    print(text)
    if json_file:
        write_text_atomically(json_file, json.dumps(result, indent=2))
    return result


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    register_all_modules()
    shape = input_shape(cfg, args.shape)
    model = MODELS.build(cfg.model)  # weights are not initialised: no checkpoint is needed
    result = branch_complexity(model, shape)
    result['config'] = args.config
    return report(result, format_report(result), args.json)


if __name__ == '__main__':
    run_cli(main)
