"""The FLOPs range of a search space, before anyone spends GPU days searching it.

    python tools/analysis_tools/search_space_flops.py CONFIG [--stage NAME] [--shape H W]
        [--typical GENOTYPE_FILE] [--paper-gflops G] [--search-memory]
        [--cfg-options k=v ...] [--json OUT.json]

CONFIG is a pipeline config (``configs/mtnas/ssd_fcn_mixed.py``; its derived network is the
model of the test stage, or of ``--stage``) or a runner config whose ``model`` has derived DARTS
parts. Every part with a ``genotype`` (backbone, detection neck, segmentation head) gets, in
turn, the cells of three genotypes and the whole network is measured at the input size
(``--shape``, else the config's ``input_size``), batch 1:

* **cheapest**: the typical genotype's graph with, on every edge, the candidate op of fewest
  multiply-adds at that edge's stride (ties to the op without parameters, then the first in
  ``op_names``): the parameter-free ops (identity, pooling);
* **typical**: the published DARTS-V2 cells (``mmmtnas.models.nas.darts_genotypes``), or the
  genotype file given by ``--typical``;
* **dearest**: the same graph with the costliest op on every edge.

The candidate ops are those the pipeline's search stages declare (``op_names``), else DARTS's 8.
Figures follow ``mmmtnas.engine.runner.model_profile``: GMACs (multiply-accumulates) and GFLOPs
(2 x MACs, the MTNAS paper's convention), both printed. ``--search-memory`` adds, for each search
stage, the activation memory its supernet keeps for backward per image at the input size (saved
tensors of one training forward; what one batch element costs on a GPU).
"""
import argparse
import copy
import os.path as osp
import sys
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config, DictAction

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from get_flops import branch_complexity, input_shape, report  # noqa: E402

from mmmtnas.engine.runner.model_profile import CONVENTION, mac_analyzer  # noqa: E402
from mmmtnas.models.nas.darts_genotypes import TYPICAL_GENOTYPE  # noqa: E402
from mmmtnas.models.nas.operations import DARTS_OPS, build_op  # noqa: E402
from mmmtnas.registry import MODELS, register_all_modules  # noqa: E402
from mmmtnas.structures.genotype import CellGenotype, Genotype, load_genotype  # noqa: E402
from mmmtnas.utils.cli import is_pipeline, load_config, run_cli  # noqa: E402

GENOTYPES = ('cheapest', 'typical', 'dearest')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='FLOPs range of a DARTS search space')
    parser.add_argument('config', help='pipeline (or derived-network) config file path')
    parser.add_argument('--stage', help='pipeline stage whose model is the derived network '
                        '(default: the test stage)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help='input height and width (default: the config\'s input_size)')
    parser.add_argument('--typical', help='genotype file to use as the typical genotype '
                        '(default: the published DARTS-V2 cells)')
    parser.add_argument('--paper-gflops', type=float,
                        help='the paper\'s GFLOPs for this network, to compare with')
    parser.add_argument('--search-memory', action='store_true',
                        help='also estimate each search stage\'s activation memory per image')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value')
    parser.add_argument('--json', help='also write the figures to this JSON file')
    return parser.parse_args(argv)


def stage_models(cfg: Config,
                 stage: Optional[str] = None) -> Tuple[str, dict, Dict[str, dict]]:
    """The derived network's stage and model config, and the search stages' model configs.

    Args:
        cfg (Config): A pipeline config, or a runner config with a ``model``.
        stage (str, optional): The pipeline stage of the derived network. None takes the test
            stage (the last one).

    Returns:
        tuple: ``(stage, derived model config, {search stage name: its model config})``; the
        stage is ``'model'`` for a runner config.
    """
    if not is_pipeline(cfg):
        if stage is not None:
            raise ValueError(f'{cfg.filename}: --stage {stage} given, but it is not a pipeline '
                             'config (no `stages`)')
        return 'model', copy.deepcopy(cfg.model), {}
    from mmmtnas.engine.runner import StagedPipeline
    pipeline = StagedPipeline.from_cfg(cfg)
    names = pipeline.stage_names
    if stage is None:
        tests = [n for n in names if pipeline.spec(n)['kind'] == 'test']
        stage = tests[-1] if tests else names[-1]
    if stage not in names:
        raise KeyError(f'{cfg.filename}: no stage {stage!r} (stages: {names})')
    searches = {n: pipeline.stage_config(n).model for n in names
                if pipeline.spec(n)['kind'] == 'search'}
    return stage, pipeline.stage_config(stage).model, searches


def search_cells(search_models: Dict[str, dict]) -> Dict[str, dict]:
    """Part name (last attribute, e.g. ``'backbone'``) -> ``op_names`` and ``num_nodes`` its
    search declares (the first search stage that has the part)."""
    found = {}

    def visit(cfg, name):
        if isinstance(cfg, dict):
            if 'op_names' in cfg:
                found.setdefault(name, dict(op_names=list(cfg['op_names']),
                                            num_nodes=cfg.get('num_nodes', 4)))
            for key, value in cfg.items():
                visit(value, key)

    for model in search_models.values():
        visit(model, 'model')
    return found


def derived_parts(model_cfg: dict, where: str) -> List[str]:
    """Names of the model's parts built from a genotype."""
    parts = [name for name, sub in model_cfg.items() if isinstance(sub, dict) and 'genotype' in sub]
    if not parts:
        raise ValueError(f'{where}: the model has no derived DARTS part (a part with a '
                         '`genotype`); give a pipeline or a derived-network config')
    return parts


def op_macs(name: str, stride: int, channels: int = 64, size: int = 16) -> Tuple[int, int]:
    """(multiply-adds, parameters) of candidate op ``name`` on a ``channels x size x size``
    input at ``stride``."""
    op = build_op(name, channels, stride, affine=True).eval()
    macs = mac_analyzer(op, (torch.zeros(1, channels, size, size), )).total()
    return int(macs), sum(p.numel() for p in op.parameters())


def extreme_ops(op_names: Sequence[str]) -> Dict[Tuple[str, int], str]:
    """``(which, stride) -> op``: the cheapest and dearest non-``none`` op at strides 1, 2."""
    ops = [n for n in op_names if n != 'none']
    out = {}
    for stride in (1, 2):
        cost = {n: op_macs(n, stride) for n in ops}
        out['cheapest', stride] = min(ops, key=lambda n: (cost[n], ops.index(n)))
        out['dearest', stride] = max(ops, key=lambda n: (cost[n], -ops.index(n)))
    return out


def extreme_genotype(genotype: Genotype, ops: Dict[Tuple[str, int], str],
                     which: str) -> Genotype:
    """``genotype``'s graph with the ``which`` ('cheapest' / 'dearest') op on every edge.

    Edges of a ``'reduce'`` cell leaving an input node run at stride 2.
    """
    cells = {}
    for key, cell in genotype.cells.items():
        nodes = [[(ops[which, 2 if key == 'reduce' and idx < 2 else 1], idx) for _, idx in node]
                 for node in cell.nodes]
        cells[key] = CellGenotype.create(nodes, cell.concat)
    return Genotype(cells)


def genotypes_per_part(typical: Dict[str, Genotype],
                       cells: Dict[str, dict]) -> Dict[str, Dict[str, Genotype]]:
    """``{'cheapest' | 'typical' | 'dearest': {part: genotype}}`` from each part's typical one.

    Args:
        typical (dict[str, Genotype]): Part -> its typical genotype.
        cells (dict[str, dict]): Part -> ``op_names`` / ``num_nodes`` of its search (see
            :func:`search_cells`); DARTS's 8 ops and 4 nodes for a part not searched there.
    """
    cache = {}
    out = dict(cheapest={}, typical=dict(typical), dearest={})
    for part, genotype in typical.items():
        space = cells.get(part, dict(op_names=DARTS_OPS, num_nodes=4))
        for key, cell in genotype.cells.items():
            if cell.num_nodes != space['num_nodes']:
                raise ValueError(f'typical genotype: {part} cell {key!r} has {cell.num_nodes} '
                                 f'nodes, the search space {space["num_nodes"]}; pass '
                                 '--typical GENOTYPE_FILE with cells of this space')
        op_names = tuple(space['op_names'])
        if op_names not in cache:
            cache[op_names] = extreme_ops(op_names)
        for which in ('cheapest', 'dearest'):
            out[which][part] = extreme_genotype(genotype, cache[op_names], which)
    return out


def measure(model_cfg: dict, genotypes: Dict[str, Genotype], shape: Tuple[int, int]) -> dict:
    """:func:`get_flops.branch_complexity` of the model with these part genotypes."""
    model_cfg = copy.deepcopy(model_cfg)
    for part, genotype in genotypes.items():
        model_cfg[part]['genotype'] = genotype
    model_cfg.pop('data_preprocessor', None)  # the figures are of the network
    return branch_complexity(MODELS.build(model_cfg), shape)


def search_memory(model_cfg: dict, shape: Tuple[int, int]) -> Dict[str, float]:
    """GiB of activations a multi-task search supernet keeps for backward, per image and task.

    One training-mode forward (backbone, then each task's branch on its features) under
    ``saved_tensors_hooks``; tensors sharing storage count once. Parameters, gradients and
    the optimiser state come on top.

    Returns:
        dict: Task (``'det'``, ``'seg'``) -> GiB of that task's step; empty for a supernet
        without task branches (e.g. an ImageNet classifier).
    """
    from mmmtnas.models.nas import bind_architecture
    supernet_cfg = copy.deepcopy(model_cfg.get('supernet', model_cfg))
    if 'det_head' not in supernet_cfg and 'seg_head' not in supernet_cfg:
        return {}
    supernet_cfg.pop('data_preprocessor', None)
    supernet = MODELS.build(supernet_cfg).train()
    bind_architecture(supernet)
    storages = {}

    def pack(t):
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    def saved(fn):
        storages.clear()
        with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
            out = fn()
        return out, sum(storages.values()) / 2**30

    feats, shared = saved(lambda: supernet.extract_feat(torch.rand(1, 3, *shape)))
    out = {}
    if supernet.det_head is not None:
        out['det'] = shared + saved(lambda: supernet.det_head(supernet._det_feat(feats)))[1]
    if supernet.seg_head is not None:
        out['seg'] = shared + saved(lambda: supernet.seg_head(feats))[1]
    return out


def format_report(result: dict) -> str:
    """A plain-text table of :func:`main`'s figures."""
    h, w = result['input_shape']
    parts = list(result['rows']['typical']['parts'])
    lines = [f'{result["config"]}: derived network of stage {result["stage"]}, input {h}x{w} '
             f'(H x W), batch 1', CONVENTION]
    head = f'{"genotype":<10}{"GMACs":>9}{"GFLOPs":>9}{"params M":>10}'
    lines.append(head + ''.join(f'{p + " GFLOPs":>18}' for p in parts))
    for which in GENOTYPES:
        row = result['rows'][which]
        total = row['total']
        lines.append(f'{which:<10}{total["macs"] / 1e9:>9.3f}{total["flops"] / 1e9:>9.3f}'
                     f'{total["params"] / 1e6:>10.2f}' +
                     ''.join(f'{row["parts"][p]["flops"] / 1e9:>18.3f}' for p in parts))
    lines.append(f'typical = {result["typical"]}')
    for which in ('cheapest', 'dearest'):
        lines.append(f'{which} = on every edge {result["ops"][which]}')
    if result.get('paper_gflops'):
        typical = result['rows']['typical']['total']['flops'] / 1e9
        lines.append(f'paper: {result["paper_gflops"]:.2f} GFLOPs; typical / paper = '
                     f'{typical / result["paper_gflops"]:.3f}')
    for stage, tasks in (result.get('search_memory') or {}).items():
        text = ', '.join(f'{task} {gib:.3f} GiB' for task, gib in tasks.items())
        lines.append(f'search memory, stage {stage}: activations kept for backward per image: '
                     f'{text}')
    return '\n'.join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    register_all_modules()
    shape = input_shape(cfg, args.shape)
    stage, model_cfg, searches = stage_models(cfg, args.stage)
    parts = derived_parts(model_cfg, args.config)
    typical = {p: load_genotype(args.typical, p) if args.typical else TYPICAL_GENOTYPE
               for p in parts}
    genotypes = genotypes_per_part(typical, search_cells(searches))
    rows = {which: measure(model_cfg, genotypes[which], shape) for which in GENOTYPES}
    result = dict(config=args.config, stage=stage, input_shape=list(shape),
                  convention=CONVENTION, parts=parts,
                  typical=args.typical or 'published DARTS-V2 cells in every part',
                  ops={which: sorted({op for g in genotypes[which].values()
                                      for c in g.cells.values() for node in c.nodes
                                      for op, _ in node}) for which in ('cheapest', 'dearest')},
                  genotypes={w: {p: g.to_dict() for p, g in gs.items()}
                             for w, gs in genotypes.items()},
                  rows=rows, paper_gflops=args.paper_gflops)
    if args.search_memory:
        memory = {name: search_memory(model, shape) for name, model in searches.items()}
        result['search_memory'] = {name: tasks for name, tasks in memory.items() if tasks}
    return report(result, format_report(result), args.json)


if __name__ == '__main__':
    run_cli(main)
