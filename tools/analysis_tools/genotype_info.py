"""What a searched DARTS backbone gives a stock config: channels and strides of each output,
FLOPs and parameters, and ready-to-paste mmdet / mmseg snippets.

    python tools/analysis_tools/genotype_info.py GENOTYPE_FILE [--part backbone]
        [--config CONFIG] [--channels C] [--num-cells N] [--reduction-cells I ...]
        [--stem-type {cifar,imagenet}] [--stem-multiplier M] [--out-indices I ...]
        [--shape H W] [--json OUT.json]

A derived cell concatenates ``len(concat)`` of its nodes, each of ``C * 2^k`` channels after
``k`` reductions, so a backbone's output channels change with the genotype: a genotype of 3
concatenated nodes gives 48 / 96 / 192 where DARTS-V2's 4 give 64 / 128 / 256. Run this whenever
a config gets another genotype file, and paste the printed channels.

The layout (DARTS ``C``, cells, reductions, stem, outputs) is that of ``mmmtnas.DartsBackbone``:
taken from ``--config`` (the config's ``model.backbone``; for a pipeline config, the derived
network's), else :class:`~mmmtnas.models.nas.DartsBackbone`'s defaults, each overridden by its
flag. Without ``--out-indices`` (here or in the config) the outputs are the last cell of every
resolution level. FLOPs come from MMEngine's complexity analysis as in ``get_flops.py``
(GMACs = multiply-accumulates, GFLOPs = 2 x MACs), at ``--shape``, else the config's input
size, else 320x512 (the MTNAS input).
"""
import argparse
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.analysis import parameter_count

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from get_flops import input_shape, report  # noqa: E402
from search_space_flops import stage_models  # noqa: E402

from mmmtnas.engine.runner.model_profile import (  # noqa: E402
    CONVENTION, FLOPS_PER_MAC, mac_analyzer)
from mmmtnas.models.nas import DartsBackbone  # noqa: E402
from mmmtnas.registry import register_all_modules  # noqa: E402
from mmmtnas.utils.cli import load_config, run_cli  # noqa: E402

LAYOUT_KEYS = ('in_channels', 'channels', 'num_cells', 'reduction_cells', 'stem_type',
               'stem_multiplier', 'share_cells', 'out_indices')
DEFAULT_SHAPE = (320, 512)  # (H, W) of the MTNAS paper


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Output channels, strides, FLOPs and config snippets of a DARTS backbone')
    parser.add_argument('genotype', help='genotype file written by a search')
    parser.add_argument('--part', default=None,
                        help='part of the file to read (default: the config\'s, else backbone)')
    parser.add_argument('--config', help='take the layout from this config\'s DartsBackbone')
    parser.add_argument('--channels', type=int, help='DARTS C: node channels of the first cells')
    parser.add_argument('--num-cells', type=int, help='number of cells (DARTS layers)')
    parser.add_argument('--reduction-cells', type=int, nargs='+', metavar='I',
                        help='indices of the reduction cells (default: N // 3, 2N // 3)')
    parser.add_argument('--stem-type', choices=('cifar', 'imagenet'),
                        help='cifar: stride 1; imagenet: the first cell at stride 8')
    parser.add_argument('--stem-multiplier', type=int, help='channels of the CIFAR stem / C')
    parser.add_argument('--out-indices', type=int, nargs='+', metavar='I',
                        help='cells whose outputs the backbone returns (default: the last '
                        'cell of every resolution level)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width for the FLOPs')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    return parser.parse_args(argv)


def config_layout(config: str) -> Tuple[dict, Optional[Tuple[int, int]]]:
    """The DartsBackbone layout keys (and ``part``) of a config, and its input size if any.

    Raises:
        ValueError: The config's ``model.backbone`` is not a ``mmmtnas.DartsBackbone``.
    """
    cfg = load_config(config)
    _, model, _ = stage_models(cfg)
    backbone = model.get('backbone') or {}
    if not str(backbone.get('type', '')).split('.')[-1] == 'DartsBackbone':
        raise ValueError(f'{config}: model.backbone is {backbone.get("type")!r}, not a '
                         'mmmtnas.DartsBackbone; give the layout with --channels / --num-cells '
                         '/ --stem-type / --out-indices instead')
    layout = {k: backbone[k] for k in LAYOUT_KEYS + ('part', ) if k in backbone}
    try:
        shape = input_shape(cfg)
    except ValueError:
        shape = None
    return layout, shape


def cell_strides(backbone: DartsBackbone) -> List[int]:
    """Output stride of every cell: the stem's (1 for CIFAR, 8 for ImageNet: its two stride-2
    convolutions and its stride-2 second stem), doubled by each reduction cell."""
    stride = 1 if backbone.stem_type == 'cifar' else 8
    strides = []
    for i in range(backbone.num_cells):
        if i in backbone.reduction_cells:
            stride *= 2
        strides.append(stride)
    return strides


def level_ends(strides: Sequence[int]) -> Tuple[int, ...]:
    """Index of the last cell of each resolution level."""
    return tuple(i for i in range(len(strides))
                 if i == len(strides) - 1 or strides[i + 1] != strides[i])


def snippets(genotype: str, part: str, layout: dict, channels: List[int],
             strides: List[int]) -> Dict[str, str]:
    """Config text to paste into a stock mmdet (FPN, e.g. RetinaNet) and mmseg (FCN-style
    decode + auxiliary head) config.

    ``expected_out_channels`` makes the backbone fail at build time, naming the channels, when
    the genotype file is later swapped for one with another ``concat`` length.
    """
    backbone = ['    backbone=dict(', '        _delete_=True,',
                "        type='mmmtnas.DartsBackbone',", f'        genotype={genotype!r},']
    if part != 'backbone':
        backbone.append(f'        part={part!r},')
    backbone += [f'        {key}={value!r},' for key, value in layout.items()]
    backbone.append(f'        expected_out_channels={channels!r}),  # strides {strides}')
    head = ["custom_imports = dict(imports=['mmmtnas'], allow_failed_imports=False)",
            'model = dict(']
    # RetinaNet's FPN starts at P3 (stride 8); a finer level is skipped
    start = next((i for i, s in enumerate(strides) if s >= 8), 0)
    mmdet = head + backbone + [f'    neck=dict(in_channels={channels!r}, start_level={start}))']
    last = len(channels) - 1
    # EncoderDecoder copies `pretrained` (a ResNet checkpoint in stock configs) into the backbone
    mmseg = head + ['    pretrained=None,'] + backbone
    if last > 0:
        mmseg.append(f'    auxiliary_head=dict(in_channels={channels[-2]}, in_index={last - 1}),')
    mmseg.append(f'    decode_head=dict(in_channels={channels[-1]}, in_index={last}))')
    return dict(mmdet='\n'.join(mmdet) + '\n', mmseg='\n'.join(mmseg) + '\n')


def genotype_info(genotype: str, layout: dict, part: str = 'backbone',
                  shape: Tuple[int, int] = DEFAULT_SHAPE) -> dict:
    """Build the backbone and describe it.

    Args:
        genotype (str): Genotype file.
        layout (dict): DartsBackbone layout keys (``channels``, ``num_cells``, ...); without
            ``out_indices`` the last cell of every resolution level.
        part (str): Part of the file. Defaults to ``'backbone'``.
        shape (tuple[int, int]): Input (H, W) for the FLOPs.

    Returns:
        dict: ``cells`` (index, key, concat length, stride, channels), ``levels``
        (out_indices, channels, strides), ``complexity`` (macs, flops, params), ``snippets``.
    """
    layout = dict(layout)
    backbone = DartsBackbone(genotype, part=part, **layout)
    strides = cell_strides(backbone)
    if 'out_indices' not in layout:
        layout['out_indices'] = level_ends(strides)
        backbone = DartsBackbone(genotype, part=part, **layout)
    layout['out_indices'] = tuple(layout['out_indices'])
    backbone.eval()
    cells = [dict(index=i, key=key, concat=len(backbone.genotype[key].concat),
                  stride=strides[i], channels=backbone.cell_channels[i])
             for i, key in enumerate(backbone.cell_keys)]
    out = list(backbone.out_indices)
    levels = dict(out_indices=out, channels=[backbone.cell_channels[i] for i in out],
                  strides=[strides[i] for i in out])
    macs = int(mac_analyzer(backbone, (torch.zeros(1, 3, *shape), )).total())
    complexity = dict(input_shape=list(shape), macs=macs, flops=FLOPS_PER_MAC * macs,
                      params=int(parameter_count(backbone)['']), convention=CONVENTION)
    snippet_layout = {k: layout[k] for k in LAYOUT_KEYS if k in layout}
    snippet_layout.setdefault('stem_type', backbone.stem_type)
    snippet_layout['reduction_cells'] = tuple(backbone.reduction_cells)
    return dict(genotype=genotype, part=part, layout=snippet_layout, cells=cells,
                levels=levels, complexity=complexity,
                snippets=snippets(genotype, part, snippet_layout, levels['channels'],
                                  levels['strides']))


def format_report(result: dict) -> str:
    """The human-readable report of :func:`genotype_info`."""
    lines = [f'{result["genotype"]} (part {result["part"]!r}), layout '
             + ', '.join(f'{k}={v!r}' for k, v in result['layout'].items()),
             f'{"cell":>4}  {"key":<8}{"concat":>7}{"stride":>7}{"channels":>9}']
    out = result['levels']['out_indices']
    for cell in result['cells']:
        mark = f'  <- output {out.index(cell["index"])}' if cell['index'] in out else ''
        lines.append(f'{cell["index"]:>4}  {cell["key"]:<8}{cell["concat"]:>7}'
                     f'{cell["stride"]:>7}{cell["channels"]:>9}{mark}')
    levels = result['levels']
    lines.append(f'out_indices {tuple(out)}: channels {levels["channels"]}, '
                 f'strides {levels["strides"]}')
    c = result['complexity']
    h, w = c['input_shape']
    lines.append(f'input {h}x{w} (H x W), batch 1; {c["convention"]}')
    lines.append(f'backbone: {c["macs"] / 1e9:.3f} GMACs, {c["flops"] / 1e9:.3f} GFLOPs, '
                 f'{c["params"] / 1e6:.3f} M params')
    lines.append('\n# ---- mmdet (FPN neck, e.g. retinanet_r50_fpn_1x_coco.py) ----')
    lines.append(result['snippets']['mmdet'])
    lines.append('# ---- mmseg (decode + auxiliary head, e.g. fcn_r50-d8_*.py) ----')
    lines.append(result['snippets']['mmseg'])
    return '\n'.join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    register_all_modules()
    layout, shape = config_layout(args.config) if args.config else ({}, None)
    part = args.part or layout.pop('part', 'backbone')
    layout.pop('part', None)
    flags = dict(channels=args.channels, num_cells=args.num_cells,
                 reduction_cells=args.reduction_cells, stem_type=args.stem_type,
                 stem_multiplier=args.stem_multiplier, out_indices=args.out_indices)
    layout.update({k: v for k, v in flags.items() if v is not None})
    if args.num_cells is not None and args.reduction_cells is None:
        layout.pop('reduction_cells', None)  # the config's reductions were for its own N
    if not osp.isfile(args.genotype):
        raise FileNotFoundError(f'genotype file not found: {args.genotype}')
    shape = tuple(args.shape) if args.shape else shape or DEFAULT_SHAPE
    result = genotype_info(args.genotype, layout, part, shape)
    return report(result, format_report(result), args.json)


if __name__ == '__main__':
    run_cli(main)
