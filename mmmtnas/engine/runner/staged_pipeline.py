"""A staged pipeline as one runner: a sequence of ordinary mmengine runs (search, train, test).

Config::

    runner_type = 'mmmtnas.StagedPipeline'
    work_dir = 'work_dirs/ssd_fcn_toy'
    stages = dict(
        s1_det=dict(config='./ssd_fcn_toy/s1_det.py', kind='search'),
        s1_seg=dict(config='./ssd_fcn_toy/s1_seg.py', kind='search'),
        s2a=dict(config='./ssd_fcn_toy/s2a.py', kind='search'),
        s2b=dict(config='./ssd_fcn_toy/s2b.py', kind='search',
                 init_from=[dict(checkpoint='{work_dir}/s2a/checkpoint.pth',
                                 include=['supernet.backbone.'])]),
        finetune=dict(config='./ssd_fcn_toy/finetune.py', kind='train',
                      inputs=['{work_dir}/s2b/genotype.yaml']),
        test=dict(config='./ssd_fcn_toy/finetune.py', kind='test', input_size=(128, 256),
                  checkpoint='{work_dir}/finetune/checkpoint.pth'))
    stage = None  # or one stage name: run that stage alone
    stage_config_dir = '{{ fileDirname }}'  # where relative stage configs are

Each stage is an ordinary mmengine runner config (``config``, composed with ``_base_``; path
relative to this file) plus overrides given beside it. Pipeline keys of a stage:

* ``kind``: ``'search'`` (train, then write the derived genotypes and their pictures),
  ``'train'`` (train a fixed network) or ``'test'`` (test a checkpoint, then measure FLOPs,
  parameters and CPU latency at ``input_size``).
* ``inputs``: files of earlier stages the stage reads (checked before it starts).
* ``init_from``: ``dict(checkpoint, include, rename=None, strict=True, inherit_cells_from=None)``
  entries; the selected weights are gathered into ``<stage>/init.pth``, which the stage loads
  (``load_from``). ``inherit_cells_from='s2b'`` also maps that stage's supernet cell weights onto
  the derived cells (the op kept on each edge inherits its weights).
* ``checkpoint`` (test only): the checkpoint to test.

Any string in a stage config may contain ``{work_dir}`` (the pipeline's work dir). Stage
outputs live in ``work_dir/<stage>/``: ``genotype.yaml`` (+ ``genotype_<part>.png``),
``checkpoint.pth``, ``metrics.json`` and, written atomically last, ``DONE.json``. A rerun skips
stages whose marker exists; with ``resume=True`` (``tools/train.py --resume``) the first
unfinished stage resumes from its latest checkpoint. At the end ``summary.json`` and
``summary.md`` list every stage's genotypes and metrics.
"""
import copy
import logging
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner, find_latest_checkpoint

from mmmtnas.registry import RUNNERS
from . import stage_files as sf
from .model_profile import profile_model
from .pipeline_summary import write_summary

STAGE_KINDS = ('search', 'train', 'test')
PIPELINE_KEYS = ('config', 'kind', 'inputs', 'init_from', 'checkpoint', 'input_size')
WORK_DIR_TOKEN = '{work_dir}'


class StageInputError(FileNotFoundError):
    """A stage's input file (written by an earlier stage) is missing."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ''


def _substitute(value, work_dir: str):
    """Replace ``{work_dir}`` in every string of a nested config."""
    if isinstance(value, str):
        return value.replace(WORK_DIR_TOKEN, work_dir)
    if isinstance(value, dict):
        return type(value)({k: _substitute(v, work_dir) for k, v in value.items()}) \
            if not isinstance(value, ConfigDict) else ConfigDict(
                {k: _substitute(v, work_dir) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return type(value)(_substitute(v, work_dir) for v in value)
    return value


def _find_key(value, key: str, path: str = '') -> List[tuple]:
    """All ``(path, value)`` of ``key`` in a nested config."""
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f'{path}.{k}' if path else str(k)
            if k == key and isinstance(v, str):
                found.append((sub, v))
            found.extend(_find_key(v, key, sub))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found.extend(_find_key(v, key, f'{path}[{i}]'))
    return found


@RUNNERS.register_module()
class StagedPipeline:
    """Run the stages of a pipeline in order, each as its own mmengine :class:`Runner`.

    Args:
        cfg (Config): The pipeline config (see the module docstring).
    """

    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        if not isinstance(cfg.get('stages'), dict) or not cfg.stages:
            raise KeyError(f'{cfg.filename}: a pipeline config needs `stages=dict(name=dict('
                           'config=..., kind=...), ...)`')
        self.work_dir = osp.abspath(cfg.get('work_dir') or 'work_dirs/pipeline')
        # Relative stage configs are found from `stage_config_dir` (set it to '{{ fileDirname }}'
        # so that configs inheriting the pipeline keep finding them), else from this file.
        self.config_dir = cfg.get('stage_config_dir') or (
            osp.dirname(osp.abspath(cfg.filename)) if cfg.filename else '.')
        self.stage_names = list(cfg.get('stage_order') or cfg.stages.keys())
        for name in self.stage_names:
            spec = cfg.stages.get(name)
            if not isinstance(spec, dict) or 'config' not in spec:
                raise KeyError(f'stages.{name} must be a dict with a `config` path')
            if spec.get('kind', 'search') not in STAGE_KINDS:
                raise ValueError(f'stages.{name}.kind must be one of {STAGE_KINDS}, '
                                 f'got {spec.get("kind")!r}')
        self.only = cfg.get('stage')
        if self.only is not None and self.only not in self.stage_names:
            raise KeyError(f'stage={self.only!r} is not a stage of this pipeline; stages are '
                           f'{self.stage_names}')
        self.resume = bool(cfg.get('resume', False))
        self.launcher = cfg.get('launcher', 'none')

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'StagedPipeline':
        """Build from a config (what ``RUNNERS.build(cfg)`` calls)."""
        return cls(cfg)

    # ------------------------------------------------------------------ configs

    def stage_dir(self, name: str) -> str:
        """``work_dir/<stage>``."""
        return osp.join(self.work_dir, name)

    def stage_config(self, name: str) -> Config:
        """The runner config of stage ``name``: its file, its overrides, ``{work_dir}``
        substituted, ``work_dir`` set to ``work_dir/<name>``."""
        spec = copy.deepcopy(self.cfg.stages[name])
        path = spec['config']
        if not osp.isabs(path):
            path = osp.join(self.config_dir, path)
        if not osp.isfile(path):
            raise FileNotFoundError(f'stages.{name}.config: no such file {path}')
        cfg = Config.fromfile(path)
        overrides = {k: v for k, v in spec.items() if k not in PIPELINE_KEYS}
        if overrides:
            cfg.merge_from_dict(overrides, allow_list_keys=True)
        cfg = Config(_substitute(cfg.to_dict(), self.work_dir), filename=path)
        cfg.work_dir = self.stage_dir(name)
        cfg.launcher = self.launcher
        cfg.pop('runner_type', None)
        return cfg

    def spec(self, name: str) -> dict:
        """Pipeline keys of stage ``name``, ``{work_dir}`` substituted."""
        spec = {k: v for k, v in self.cfg.stages[name].items() if k in PIPELINE_KEYS}
        spec = _substitute(copy.deepcopy(spec), self.work_dir)
        spec.setdefault('kind', 'search')
        return spec

    # ------------------------------------------------------------------ checks

    def check_data(self, names: List[str]) -> None:
        """Fail at once, in one line, when a data root of any stage to run is missing."""
        from mmmtnas.datasets.driving.data_paths import DOCS_HINT, DataRootNotFoundError
        for name in names:
            cfg = self.stage_config(name)
            for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
                for where, root in _find_key(cfg.get(key), 'data_root', key):
                    if '://' not in root and not osp.isdir(root):
                        raise DataRootNotFoundError(
                            f"stage {name}: data root '{root}' ({where}) does not exist; "
                            f'{DOCS_HINT}')

    def check_inputs(self, name: str) -> None:
        """Raise :class:`StageInputError` naming the first missing input file of a stage."""
        spec = self.spec(name)
        needed = list(spec.get('inputs') or [])
        needed += [e['checkpoint'] for e in spec.get('init_from') or []]
        if spec.get('checkpoint'):
            needed.append(spec['checkpoint'])
        for path in needed:
            if not osp.exists(path):
                producer = osp.basename(osp.dirname(path))
                hint = (f"written by stage '{producer}'; run it first (or the whole pipeline)"
                        if producer in self.stage_names else 'no stage writes it')
                raise StageInputError(f"stage '{name}' needs {path} ({hint})")

    # ------------------------------------------------------------------ running

    def train(self) -> dict:
        """Run every unfinished stage (or only ``stage``), then write the summary.

        Returns:
            dict: The summary (also in ``work_dir/summary.json``).
        """
        todo = [self.only] if self.only else [
            n for n in self.stage_names if not sf.is_done(self.stage_dir(n))]
        for name in self.stage_names:
            if name not in todo and not self.only:
                print_log(f'pipeline: stage {name} already done, skipped',
                          logger='current', level=logging.INFO)
        self.check_data(todo)
        if self.only:
            self.check_inputs(self.only)
        for name in todo:
            self.run_stage(name)
        return write_summary(self.work_dir, self.stage_names, self.describe_stage)

    def test(self) -> dict:
        """Run the test stage(s) again from the finished stages' files."""
        names = [n for n in self.stage_names if self.spec(n)['kind'] == 'test']
        if not names:
            raise KeyError('this pipeline has no stage of kind "test"')
        self.check_data(names)
        # tools/test.py CONFIG CHECKPOINT sets load_from: test that checkpoint instead
        checkpoint = self.cfg.get('load_from')
        for name in names:
            self.run_stage(name, checkpoint=checkpoint)
        return write_summary(self.work_dir, self.stage_names, self.describe_stage)

    def run_stage(self, name: str, checkpoint: Optional[str] = None) -> dict:
        """Run one stage and write its outputs and marker.

        Args:
            name (str): The stage.
            checkpoint (str, optional): For a test stage: test this checkpoint instead of the
                one its spec names.

        Returns:
            dict: The stage's metrics.
        """
        spec = self.spec(name)
        if checkpoint:
            spec['checkpoint'] = checkpoint
            self.cfg.stages[name]['checkpoint'] = checkpoint
        self.check_inputs(name)
        stage_dir = self.stage_dir(name)
        sf.clear_marker(stage_dir)
        cfg = self.stage_config(name)
        print_log(f'pipeline: stage {name} ({spec["kind"]}) -> {stage_dir}',
                  logger='current', level=logging.INFO)
        if spec['kind'] == 'test':
            return self._run_test(name, spec, cfg)
        latest = find_latest_checkpoint(stage_dir) if self.resume else None
        init_path = None
        if latest is not None:
            cfg.resume, cfg.load_from = True, latest
        else:
            cfg.resume, cfg.load_from = False, None
            if spec.get('init_from'):
                init_path = self._write_init(name, spec['init_from'])
                cfg.load_from = init_path
        runner = Runner.from_cfg(cfg)
        if init_path is not None and latest is None:
            self._check_init(name, runner, init_path, spec['init_from'])
        runner.train()
        return self._finish_training(name, spec, runner)

    def _write_init(self, name: str, entries: List[dict]) -> str:
        state = {}
        for entry in entries:
            src = sf.load_state_dict(entry['checkpoint'])
            state.update(sf.select_weights(src, entry['include'], entry.get('rename'),
                                           where=entry['checkpoint']))
        path = osp.join(self.stage_dir(name), 'init.pth')
        sf.atomic_torch_save(dict(state_dict=state, meta=dict(
            init_from=[e['checkpoint'] for e in entries])), path)
        return path

    def _check_init(self, name: str, runner: Runner, path: str, entries: List[dict]) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        init = sf.load_state_dict(path)
        for entry in entries:
            if entry.get('inherit_cells_from'):
                init.update(self._cell_weights(entry['inherit_cells_from'], entry['checkpoint'],
                                               model))
        strict = all(e.get('strict', True) for e in entries)
        ok = sf.check_init_keys(init, model.state_dict(), strict, where=f'stage {name} init')
        if len(ok) != len(init):
            # Drop what does not fit (e.g. PC-DARTS op weights into a derived cell), keep the
            # rest, and say how much was inherited.
            sf.atomic_torch_save(dict(state_dict={k: init[k] for k in ok}), path)
        print_log(f'pipeline: stage {name} starts from {len(ok)}/{len(init)} inherited '
                  'tensors', logger='current', level=logging.INFO)

    def _cell_weights(self, stage: str, checkpoint: str, derived) -> dict:
        """Weights of a derived network's cells taken from the supernet of ``stage``: the op
        kept on each edge inherits that edge's op (DARTS weight inheritance; parts searched
        with PC-DARTS are skipped, their ops see only 1/K of the channels)."""
        from mmmtnas.models.nas import searchable_parts, supernet_key_map
        from mmmtnas.registry import MODELS
        search = MODELS.build(self.stage_config(stage).model)
        supernet = getattr(search, 'supernet', search)
        state = sf.load_state_dict(checkpoint)
        out = {}
        for path, part in searchable_parts(supernet):
            if getattr(part, 'partial_k', 1) != 1 or not hasattr(derived, path):
                continue
            mapping = supernet_key_map(getattr(derived, path), part)
            for key, src in mapping.items():
                src_key = f'supernet.{path}.{src}'
                if src_key in state:
                    out[f'{path}.{key}'] = state[src_key]
        return out

    def _finish_training(self, name: str, spec: dict, runner: Runner) -> dict:
        stage_dir = self.stage_dir(name)
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        loop = runner.train_loop
        metrics = dict(kind=spec['kind'], iterations=int(runner.iter),
                       max_iters=int(loop.max_iters),
                       stopped_early=bool(runner.iter < loop.max_iters))
        scalars = runner.message_hub.log_scalars
        for key, buf in scalars.items():
            if key.startswith('train/') and ('loss' in key or 'acc' in key or 'arch' in key):
                metrics[key] = float(buf.current())
        outputs = [osp.join(stage_dir, sf.CHECKPOINT), osp.join(stage_dir, sf.METRICS)]
        runner.save_checkpoint(stage_dir, sf.CHECKPOINT, save_optimizer=False,
                               save_param_scheduler=False, by_epoch=False)
        genotypes = self._stage_genotypes(spec, model, runner)
        if genotypes:
            outputs.append(self._write_genotypes(stage_dir, genotypes, model, spec, runner.iter))
        sf.atomic_write_json(osp.join(stage_dir, sf.METRICS), metrics)
        sf.mark_done(stage_dir, name, outputs)
        return metrics

    @staticmethod
    def _stage_genotypes(spec: dict, model, runner: Runner) -> Dict[str, object]:
        from mmmtnas.models.nas import derive_genotypes, searchable_parts
        from mmmtnas.structures.genotype import Genotype
        supernet = getattr(model, 'supernet', model)
        if spec['kind'] == 'search':
            return derive_genotypes(supernet)
        # A derived network: the genotypes its fixed parts were built from.
        out = {}
        for path, module in supernet.named_modules():
            genotype = getattr(module, 'genotype', None)
            if isinstance(genotype, Genotype):
                out[getattr(module, 'part', path) or path] = genotype
        if searchable_parts(supernet):
            raise ValueError('a stage of kind "train" must train a derived network, but its '
                             'model still has searchable parts')
        return out

    @staticmethod
    def _write_genotypes(stage_dir: str, genotypes: dict, model, spec: dict, step: int) -> str:
        from mmmtnas.structures.genotype import dump_genotype_file
        from mmmtnas.visualization.cell_graph import draw_genotype
        alphas = None
        if spec['kind'] == 'search':
            alphas = getattr(model, 'arch_params').values_dict()
        path = dump_genotype_file(osp.join(stage_dir, sf.GENOTYPE), genotypes, alphas=alphas,
                                  step=int(step))
        for part, genotype in genotypes.items():
            draw_genotype(genotype, osp.join(stage_dir, f'genotype_{part}.png'),
                          title=f'{osp.basename(stage_dir)}: {part} (step {step})')
        return path

    def _run_test(self, name: str, spec: dict, cfg: Config) -> dict:
        stage_dir = self.stage_dir(name)
        cfg.resume, cfg.load_from = False, spec.get('checkpoint')
        cfg.train_dataloader, cfg.train_cfg, cfg.optim_wrapper = None, None, None
        cfg.param_scheduler = None
        runner = Runner.from_cfg(cfg)
        metrics = dict(kind='test')
        metrics.update({k: float(v) if isinstance(v, (int, float)) else v
                        for k, v in runner.test().items()})
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if spec.get('input_size'):
            metrics.update(profile_model(model, spec['input_size']))
        path = sf.atomic_write_json(osp.join(stage_dir, sf.METRICS), metrics)
        sf.mark_done(stage_dir, name, [path])
        return metrics

    # ------------------------------------------------------------------ summary

    def describe_stage(self, name: str) -> dict:
        """What the summary shows of a stage: kind, state, genotypes and metrics."""
        stage_dir = self.stage_dir(name)
        out = dict(kind=self.spec(name)['kind'], done=sf.is_done(stage_dir), dir=stage_dir)
        genotype_file = osp.join(stage_dir, sf.GENOTYPE)
        if osp.isfile(genotype_file):
            from mmmtnas.structures.genotype import load_genotype_file
            out['genotype_file'] = genotype_file
            out['genotypes'] = {p: g.to_dict()
                                for p, g in load_genotype_file(genotype_file).items()}
        out['metrics'] = sf.read_json(osp.join(stage_dir, sf.METRICS)) or {}
        return out
