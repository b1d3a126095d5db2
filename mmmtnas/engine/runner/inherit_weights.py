"""A stage's starting weights, gathered once from earlier stages into ``init.pth``."""
import logging
from typing import Dict, List, Mapping, Sequence, Set, Tuple

import torch
import torch.nn as nn
from mmengine.logging import print_log

from mmmtnas.registry import WEIGHT_TRANSFORMS
from . import stage_files as sf


def searched_parts(model_cfg, path: str = '') -> Dict[str, Tuple[List[str], int]]:
    """The searchable parts a search-stage model config declares, found by their
    ``op_names``: attribute path -> (candidate ops, PC-DARTS ``partial_k``)."""
    found = {}
    if isinstance(model_cfg, Mapping):
        if 'op_names' in model_cfg:
            found[path] = (list(model_cfg['op_names']), int(model_cfg.get('partial_k', 1)))
        for key, value in model_cfg.items():
            found.update(searched_parts(value, f'{path}.{key}' if path else str(key)))
    return found


@WEIGHT_TRANSFORMS.register_module()
class InheritWeights:
    """Write the weights a stage starts from into one file, checked against its model.

    Each source is one of:

    * ``dict(checkpoint, include, rename=None, strict=True, cells_of=None)``: the tensors of a
      checkpoint whose key starts with one of ``include``, prefixes renamed by ``rename``.
      With ``cells_of`` (the model config of the search that wrote the checkpoint) the cells
      of every derived part also inherit their searched ops, whatever ``include`` selects:
      the op kept on each edge takes that edge's supernet op weights (DARTS weight
      inheritance; parts searched with PC-DARTS are skipped, their ops see only 1/K of the
      channels, so their cells start from scratch but for the cell pre-processing). Nothing is
      built for that: the candidate ops come from the config.
    * ``dict(genotype, include, strict=True)``: the architecture-parameter values stored in a
      genotype file, those whose name starts with one of ``include``, into the model's
      ``arch_params`` (e.g. the branch structures a search stage exported).

    With ``strict=True`` every tensor of the source must exist in the model with the same
    shape; otherwise those that do not fit are dropped (and counted). The report (logged, and
    kept in the stage's ``metrics.json``) says which fraction of the model's parameters
    (elements) starts from the sources.

    Args:
        sources (Sequence[dict]): The sources, later ones overriding earlier ones.
    """

    def __init__(self, sources: Sequence[dict]) -> None:
        self.sources = [dict(s) for s in sources]
        for i, source in enumerate(self.sources):
            if ('checkpoint' in source) == ('genotype' in source) or 'include' not in source:
                raise KeyError(f'init_from[{i}] needs `include` and one of `checkpoint` or '
                               f'`genotype`, got keys {sorted(source)}')

    def files(self) -> List[str]:
        """The files the sources read."""
        return [s.get('checkpoint') or s['genotype'] for s in self.sources]

    def __call__(self, model: nn.Module, path: str, where: str = 'init') -> dict:
        """Gather the sources for ``model``, write them to ``path`` and report.

        Args:
            model (nn.Module): The model the stage trains (unwrapped).
            path (str): Where to write the state dict (atomically, once).
            where (str): Name used in messages (the stage).

        Returns:
            dict: ``offered`` (tensors the sources gave), ``mapped`` (written: they fit the
            model), ``cells`` (of them, cell-op tensors found by the DARTS inheritance map),
            ``dropped``; ``params`` (parameter elements of the model), ``params_inherited``
            (of them, written), ``cell_params_inherited`` (of those, by the cell-op map),
            ``param_fraction`` (``params_inherited / params``) and ``partial_channel_parts``
            (parts whose cell ops were not inherited: searched with PC-DARTS).
        """
        target = model.state_dict()
        state: Dict[str, torch.Tensor] = {}
        offered, cell_keys, partial = 0, set(), []
        for source in self.sources:
            if 'genotype' in source:
                tensors = self._alphas(source, target)
            else:
                checkpoint = sf.load_state_dict(source['checkpoint'])
                tensors = sf.select_weights(checkpoint, source['include'], source.get('rename'),
                                            where=source['checkpoint'])
                if source.get('cells_of') is not None:
                    cells, skipped = self._cell_weights(source, checkpoint, model)
                    cell_keys.update(cells)
                    tensors.update(cells)
                    partial += [p for p in skipped if p not in partial]
            offered += len(tensors)
            ok = sf.check_init_keys(tensors, target, source.get('strict', True),
                                    where=f'{where}: {self._name(source)}')
            state.update({k: tensors[k] for k in ok})
        sf.atomic_torch_save(dict(state_dict=state, meta=dict(init_from=self.files())), path)
        cell_keys &= set(state)
        report = dict(offered=offered, mapped=len(state), cells=len(cell_keys),
                      dropped=offered - len(state),
                      **parameter_fraction(model, state, cell_keys),
                      partial_channel_parts=partial)
        print_log(inheritance_message(where, report), logger='current', level=logging.INFO)
        return report

    @staticmethod
    def _name(source: dict) -> str:
        return source.get('checkpoint') or source['genotype']

    @staticmethod
    def _alphas(source: dict, target: Mapping[str, torch.Tensor]) -> Dict[str, torch.Tensor]:
        from mmmtnas.models.search import ArchitectureParameters
        from mmmtnas.structures.genotype import genotype_alphas
        values = genotype_alphas(source['genotype'])
        # model key of each architecture parameter, by its stored name ('det_neck__normal')
        keys = {k.rsplit('arch_params.', 1)[1]: k for k in target
                if k.startswith('arch_params.') or '.arch_params.' in k}
        out = {}
        for prefix in source['include']:
            names = [n for n in values if n.startswith(prefix)]
            if not names:
                raise KeyError(f'{source["genotype"]}: no architecture parameter starts with '
                               f'{prefix!r} (it has {sorted(values)})')
            for name in names:
                stored = ArchitectureParameters.state_key(name)
                out[keys.get(stored, f'arch_params.{stored}')] = torch.tensor(values[name])
        return out

    @staticmethod
    def _cell_weights(source: dict, checkpoint: Mapping[str, torch.Tensor],
                      model: nn.Module) -> Tuple[Dict[str, torch.Tensor], List[str]]:
        """Derived cell-op key (renamed) -> the checkpoint's tensor of the op it kept; and the
        derived parts left out because they were searched with partial channels."""
        from mmmtnas.models.nas import derived_key_map
        modules = dict(model.named_modules())
        out, partial = {}, []
        for part, (op_names, partial_k) in searched_parts(source['cells_of']).items():
            prefix = sf.renamed(f'{part}.', source.get('rename'))
            derived = modules.get(prefix[:-1])
            if derived is None or not hasattr(derived, 'cells'):
                continue
            if partial_k != 1:
                partial.append(f'{prefix[:-1]} (K={partial_k})')
                continue
            for key, src in derived_key_map(derived, op_names).items():
                if src != key and f'{part}.{src}' in checkpoint:
                    out[prefix + key] = checkpoint[f'{part}.{src}']
        return out, partial


def parameter_fraction(model: nn.Module, state: Mapping[str, torch.Tensor],
                       cell_keys: Set[str]) -> dict:
    """How many of the model's parameter elements ``state`` initialises.

    Args:
        model (nn.Module): The model.
        state (Mapping[str, Tensor]): Its inherited tensors, by state-dict key.
        cell_keys (set[str]): The keys of ``state`` found by the cell-op map.

    Returns:
        dict: ``params``, ``params_inherited``, ``cell_params_inherited`` (elements) and
        ``param_fraction`` (rounded to 4 digits).
    """
    sizes = {k: p.numel() for k, p in model.named_parameters()}
    total = sum(sizes.values())
    inherited = sum(sizes.get(k, 0) for k in state)
    return dict(params=total, params_inherited=inherited,
                cell_params_inherited=sum(sizes.get(k, 0) for k in cell_keys),
                param_fraction=round(inherited / total, 4) if total else 0.)


def inheritance_message(where: str, report: dict) -> str:
    """The log line of an :class:`InheritWeights` report."""
    text = (f'{where}: starts from {report["mapped"]} inherited tensors ({report["cells"]} cell '
            f'ops by the search-to-derived map): {report["params_inherited"]:,} of '
            f'{report["params"]:,} parameters ({100 * report["param_fraction"]:.1f} %; cell ops '
            f'{report["cell_params_inherited"]:,})')
    if report['partial_channel_parts']:
        text += (f'; {", ".join(report["partial_channel_parts"])} searched with partial '
                 'channels (PC-DARTS): no cell op weight is inherited there (the searched ops '
                 'saw 1/K of the channels), only stems, cell pre-processing and heads')
    return (f'{text}; {report["dropped"]} of {report["offered"]} offered tensors do not fit '
            'the model and were dropped')
