"""A stage's starting weights, gathered once from earlier stages into ``init.pth``."""
import logging
from typing import Dict, List, Mapping, Sequence, Tuple

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
      channels). Nothing is built for that: the candidate ops come from the config.
    * ``dict(genotype, include, strict=True)``: the architecture-parameter values stored in a
      genotype file, those whose name starts with one of ``include``, into the model's
      ``arch_params`` (e.g. the branch structures a search stage exported).

    With ``strict=True`` every tensor of the source must exist in the model with the same
    shape; otherwise those that do not fit are dropped (and counted).

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
            model), ``cells`` (of them, cell-op tensors found by the DARTS inheritance map)
            and ``dropped``.
        """
        target = model.state_dict()
        state: Dict[str, torch.Tensor] = {}
        offered, cell_keys = 0, set()
        for source in self.sources:
            if 'genotype' in source:
                tensors = self._alphas(source, target)
            else:
                checkpoint = sf.load_state_dict(source['checkpoint'])
                tensors = sf.select_weights(checkpoint, source['include'], source.get('rename'),
                                            where=source['checkpoint'])
                if source.get('cells_of') is not None:
                    cells = self._cell_weights(source, checkpoint, model)
                    cell_keys.update(cells)
                    tensors.update(cells)
            offered += len(tensors)
            ok = sf.check_init_keys(tensors, target, source.get('strict', True),
                                    where=f'{where}: {self._name(source)}')
            state.update({k: tensors[k] for k in ok})
        sf.atomic_torch_save(dict(state_dict=state, meta=dict(init_from=self.files())), path)
        report = dict(offered=offered, mapped=len(state),
                      cells=len(cell_keys & set(state)), dropped=offered - len(state))
        print_log(f'{where}: starts from {report["mapped"]} inherited tensors ({report["cells"]} '
                  f'cell ops by the search-to-derived map); {report["dropped"]} of '
                  f'{offered} offered do not fit the model and were dropped',
                  logger='current', level=logging.INFO)
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
                      model: nn.Module) -> Dict[str, torch.Tensor]:
        """Derived cell-op key (renamed) -> the checkpoint's tensor of the op it kept."""
        from mmmtnas.models.nas import derived_key_map
        modules = dict(model.named_modules())
        out = {}
        for part, (op_names, partial_k) in searched_parts(source['cells_of']).items():
            prefix = sf.renamed(f'{part}.', source.get('rename'))
            derived = modules.get(prefix[:-1])
            if partial_k != 1 or derived is None or not hasattr(derived, 'cells'):
                continue
            for key, src in derived_key_map(derived, op_names).items():
                if src != key and f'{part}.{src}' in checkpoint:
                    out[prefix + key] = checkpoint[f'{part}.{src}']
        return out
