"""FLOPs and parameters of a model config, per task branch and in total.

    python tools/analysis_tools/get_flops.py CONFIG [--shape H W] [--cfg-options k=v ...]
                                                    [--json OUT.json]

Counts come from MMEngine's complexity analysis (``mmengine.analysis.FlopAnalyzer``, jit
tracing of ``model(inputs)`` in 'tensor' mode, batch 1). Its convention is fvcore's: one
multiply-add counts as ONE flop, so the figures are multiply-accumulates (MACs); papers that
count a multiply and an add separately report twice as many.

The input size is ``--shape``, else the config's ``input_size`` (H, W), else the ``scale`` of the
first ``Resize`` in the test pipeline. Top-level parts of the model are grouped: parts named
after a task (``det_head``, ``det_neck``, ``seg_head``) form that task's branch, the others
(backbone, neck) are shared; a task's inference path is shared + its branch.
"""
import argparse
import json
import os
import os.path as osp
import tempfile
from typing import Dict, Optional, Tuple

import torch
from mmengine.analysis import FlopAnalyzer, parameter_count
from mmengine.config import Config, DictAction

from mmmtnas.registry import MODELS, register_all_modules


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


def branch_complexity(model: torch.nn.Module, shape: Tuple[int, int]) -> Dict[str, dict]:
    """FLOPs (multiply-adds) and parameters of each part, task branch and the whole model.

    Args:
        model (nn.Module): A model whose ``forward(inputs)`` runs every head ('tensor' mode).
        shape (tuple[int, int]): Input (H, W).

    Returns:
        dict: ``parts`` (top-level module -> flops, params), ``branches`` (shared / <task> ->
        flops, params), ``paths`` (<task> -> shared + branch), ``total``.
    """
    model.eval()
    inputs = torch.zeros(1, 3, *shape)
    analyzer = FlopAnalyzer(model, (inputs, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    by_module = analyzer.by_module()
    params = parameter_count(model)
    tasks = tuple(getattr(model, 'tasks', ()))
    parts = {}
    for name, _ in model.named_children():
        if name == 'data_preprocessor':
            continue
        parts[name] = dict(flops=int(by_module.get(name, 0)), params=int(params.get(name, 0)))
    branches = {'shared': dict(flops=0, params=0), **{t: dict(flops=0, params=0) for t in tasks}}
    for name, fig in parts.items():
        owner = next((t for t in tasks if name.startswith(f'{t}_') or name == t), 'shared')
        for key in ('flops', 'params'):
            branches[owner][key] += fig[key]
    paths = {t: {k: branches['shared'][k] + branches[t][k] for k in ('flops', 'params')}
             for t in tasks}
    total = dict(flops=int(analyzer.total()), params=int(params['']))
    return dict(input_shape=list(shape), parts=parts, branches=branches, paths=paths,
                total=total, convention='flops = multiply-adds (MACs), batch 1')


def format_report(result: dict) -> str:
    """A plain-text table of :func:`branch_complexity`'s figures."""
    h, w = result['input_shape']
    lines = [f'input {h}x{w} (H x W), batch 1; FLOPs counted as multiply-adds (MACs)',
             f'{"":<22}{"GFLOPs (MACs)":>15}{"GFLOPs (2x)":>13}{"params (M)":>12}']

    def row(name, fig):
        lines.append(f'{name:<22}{fig["flops"] / 1e9:>15.3f}{2 * fig["flops"] / 1e9:>13.3f}'
                     f'{fig["params"] / 1e6:>12.3f}')

    for name, fig in result['parts'].items():
        row(f'  {name}', fig)
    for name, fig in result['branches'].items():
        row(f'branch {name}', fig)
    for name, fig in result['paths'].items():
        row(f'path {name} (shared+{name})', fig)
    row('total', result['total'])
    return '\n'.join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file not found: {args.config}')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    register_all_modules()
    shape = input_shape(cfg, args.shape)
    model = MODELS.build(cfg.model)  # weights are not initialised: no checkpoint is needed
    result = branch_complexity(model, shape)
    result['config'] = args.config
    print(format_report(result))
    if args.json:
        out_dir = osp.dirname(osp.abspath(args.json))
        os.makedirs(out_dir, exist_ok=True)
        with tempfile.NamedTemporaryFile('w', dir=out_dir, delete=False, suffix='.tmp') as f:
            json.dump(result, f, indent=2)
        os.replace(f.name, args.json)
    return result


if __name__ == '__main__':
    main()
