"""A staged pipeline as one runner: a sequence of ordinary mmengine runs (search, train, test).

Config::

    runner_type = 'mmmtnas.StagedPipeline'
    work_dir = 'work_dirs/my_search'
    stages = dict(
        search=dict(config='./search.py', kind='search',
                    outputs=dict(genotype='genotype.yaml')),
        retrain=dict(config='./retrain.py', kind='train',
                     model=dict(backbone=dict(genotype='{stages.search.genotype}')),
                     init_from=[dict(checkpoint='{stages.search.checkpoint}',
                                     include=['supernet.'], rename={'supernet.': ''},
                                     strict=False, inherit_cells_from='search')]),
        test=dict(config='./retrain.py', kind='test', input_size=(128, 256),
                  checkpoint='{stages.retrain.checkpoint}'))
    stage = None  # or one stage name: run that stage alone
    stage_order = None  # or a list of stage names: run these, in this order
    stage_overrides = None  # or a dict merged into every stage's config
    stage_config_dir = '{{ fileDirname }}'  # where relative stage configs are

Each stage is an ordinary mmengine runner config (``config``, composed with ``_base_``; path
relative to ``stage_config_dir``) plus overrides given beside it. Pipeline keys of a stage:

* ``kind``: ``'search'`` or ``'train'`` (train, then save ``checkpoint.pth``), or ``'test'``
  (test ``checkpoint``, then measure FLOPs, parameters and CPU latency at ``input_size``).
* ``outputs``: files the stage's own run writes (e.g. a search's export hook), relative to its
  dir: ``dict(genotype='genotype.yaml')``. Every stage also has the outputs ``dir``,
  ``checkpoint`` (``checkpoint.pth``) and ``metrics`` (``metrics.json``).
* ``init_from``: the sources of :class:`~mmmtnas.engine.runner.InheritWeights` (checkpoints
  and genotype files of earlier stages); ``inherit_cells_from='<stage>'`` on a checkpoint
  source maps that search's cell weights onto the derived cells. Written once into
  ``<stage>/init.pth``, which the stage loads.
* ``checkpoint`` (test only): the checkpoint to test.
* ``onnx_latency`` (test only): also export the model to ONNX and time it in ONNX Runtime
  (``latency_ort_ms`` beside ``latency_ms``). Defaults to None: on with
  ``MMMTNAS_PROFILE_ORT=1`` in the environment, off otherwise (the export costs seconds).

Any string of a stage (spec, overrides, config) may contain ``{work_dir}`` and
``{stages.<name>.<output>}`` (the output's absolute path). A reference in a stage's spec or
overrides is an input of the stage: the pipeline checks that it exists before the stage starts,
and an unknown stage or output there is an error when the pipeline is built (references inside
a stage's config file are substituted, not checked ahead).

Every stage runs in ``work_dir/<stage>/`` and ends by writing ``metrics.json`` and, atomically
last, ``DONE.json``. A rerun skips finished stages; with ``resume=True`` (``tools/train.py
--resume``) the first unfinished stage resumes from its latest checkpoint, with
``resume='<path>'`` the stage whose dir holds that checkpoint resumes from it. ``amp=True``
(``--amp``) trains every stage with mixed precision. At the end ``summary.json`` and
``summary.md`` list every stage's structure files, metrics and iterations.
"""
import copy
import itertools
import logging
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config
from mmengine.dist import barrier
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmmtnas.registry import RUNNERS, WEIGHT_TRANSFORMS
from mmmtnas.utils import unwrap_model
from mmmtnas.utils.torch_compat import load_local_checkpoint
from mmmtnas.utils.distributed import distributed_config
from . import stage_files as sf
from .amp import enable_amp
from .checkpoints import latest_loadable_checkpoint
from .model_profile import profile_model
from .pipeline_summary import write_summary
from .stage_placeholders import references, substitute

STAGE_KINDS = ('search', 'train', 'test')
PIPELINE_KEYS = ('config', 'kind', 'outputs', 'init_from', 'checkpoint', 'input_size',
                 'onnx_latency')
IMPLICIT_OUTPUTS = dict(checkpoint=sf.CHECKPOINT, metrics=sf.METRICS)
_RUNNER_IDS = itertools.count()  # stage runners built in this process


def stage_runner(name: str, cfg: Config) -> Runner:
    """Build the runner of stage ``name`` under instance names of its own.

    mmengine keeps one visualizer, message hub and logger per instance name for the whole
    process (``ManagerMixin.get_instance``); the default runtime names its visualizer
    ``'visualizer'``, so every later stage got the first stage's visualizer and wrote its
    ``vis_data`` (and ``config.py``) into the first stage's folder. Each stage runner gets a
    unique experiment name (``<stage>.<n>``, the user's ``experiment_name`` first if set) and
    its visualizer that name.
    """
    cfg.experiment_name = '.'.join(
        str(p) for p in (cfg.get('experiment_name'), name, next(_RUNNER_IDS)) if p is not None)
    if isinstance(cfg.get('visualizer'), dict):
        cfg.visualizer['name'] = cfg.experiment_name
    return Runner.from_cfg(cfg)


class StageInputError(FileNotFoundError):
    """A stage's input file (written by an earlier stage) is missing."""

    def __str__(self) -> str:
        return self.args[0] if self.args else ''


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


def final_train_scalars(runner: Runner) -> dict:
    """A training stage's last logged values, as its log shows them: every loss the mean of
    the last log window (``log_processor.window_size`` iterations, the whole run when shorter;
    an alternating multi-task run's window holds every task's iterations), other values
    (accuracies, ``arch_*`` counts) the last one. ``loss_window`` says how many iterations the
    total loss averages."""
    window = getattr(runner.log_processor, 'window_size', None)
    window = window if isinstance(window, int) and window > 0 else None  # 'global': all
    out = {}
    for key, buf in runner.message_hub.log_scalars.items():
        if not key.startswith('train/'):
            continue
        if 'loss' in key:
            out[key] = float(buf.mean(window))
        elif 'acc' in key or 'arch' in key:
            out[key] = float(buf.current())
    total = runner.message_hub.log_scalars.get('train/loss')
    if total is not None:
        out['loss_window'] = min(window or len(total.data[0]), len(total.data[0]))
    return out


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
        self.outputs = {name: self._outputs(name) for name in self.stage_names}
        for name in self.stage_names:
            self._check_references(name)
        self.only = cfg.get('stage')
        if self.only is not None and self.only not in self.stage_names:
            raise KeyError(f'stage={self.only!r} is not a stage of this pipeline; stages are '
                           f'{self.stage_names}')
        self.resume = cfg.get('resume', False)
        self.amp = bool(cfg.get('amp', False))
        self.launcher = cfg.get('launcher', 'none')

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'StagedPipeline':
        """Build from a config (what ``RUNNERS.build(cfg)`` calls)."""
        return cls(cfg)

    # ------------------------------------------------------------------ stages and outputs

    def _outputs(self, name: str) -> Dict[str, str]:
        spec = self.cfg.stages.get(name)
        if not isinstance(spec, dict) or 'config' not in spec:
            raise KeyError(f'stages.{name} must be a dict with a `config` path')
        if spec.get('kind', 'search') not in STAGE_KINDS:
            raise ValueError(f'stages.{name}.kind must be one of {STAGE_KINDS}, '
                             f'got {spec.get("kind")!r}')
        declared = dict(spec.get('outputs') or {})
        clash = sorted(set(declared) & {'dir', *IMPLICIT_OUTPUTS})
        if clash:
            raise KeyError(f'stages.{name}.outputs: {clash} are implicit outputs of every stage')
        stage_dir = self.stage_dir(name)
        files = dict(IMPLICIT_OUTPUTS, **declared)
        return dict(dir=stage_dir, **{k: osp.join(stage_dir, v) for k, v in files.items()})

    def _check_references(self, name: str) -> None:
        """Every ``{stages.<s>.<o>}`` of a stage names an output of itself or of a stage that
        runs before it."""
        earlier = self.stage_names[:self.stage_names.index(name) + 1]
        for stage, output in references(self.cfg.stages[name]):
            if stage not in self.outputs:
                raise KeyError(f'stages.{name}: {{stages.{stage}.{output}}} names no stage of '
                               f'this pipeline (stages: {self.stage_names})')
            if stage not in earlier:
                raise KeyError(f'stages.{name}: {{stages.{stage}.{output}}} is an output of '
                               f"stage '{stage}', which runs after '{name}'")
            if output not in self.outputs[stage]:
                raise KeyError(f'stages.{name}: {{stages.{stage}.{output}}}: stage {stage!r} '
                               f'has no output {output!r} (outputs: {sorted(self.outputs[stage])})')

    def stage_dir(self, name: str) -> str:
        """``work_dir/<stage>``."""
        return osp.join(self.work_dir, name)

    def output(self, name: str, output: str) -> str:
        """The absolute path of output ``output`` of stage ``name``."""
        return self.outputs[name][output]

    def _resolve(self, value):
        return substitute(value, self.work_dir, self.outputs)

    def stage_config(self, name: str) -> Config:
        """The runner config of stage ``name``: its file, its overrides and the pipeline's
        ``stage_overrides``, placeholders resolved, ``work_dir`` set to ``work_dir/<name>``
        (and mixed precision on with ``amp``)."""
        spec = copy.deepcopy(self.cfg.stages[name])
        path = spec['config']
        if not osp.isabs(path):
            path = osp.join(self.config_dir, path)
        if not osp.isfile(path):
            raise FileNotFoundError(f'stages.{name}.config: no such file {path}')
        cfg = Config.fromfile(path)
        for overrides in ({k: v for k, v in spec.items() if k not in PIPELINE_KEYS},
                          self.cfg.get('stage_overrides')):
            if overrides:
                cfg.merge_from_dict(copy.deepcopy(dict(overrides)), allow_list_keys=True)
        cfg = Config(self._resolve(cfg.to_dict()), filename=path, format_python_code=False)
        cfg.work_dir = self.stage_dir(name)
        cfg.launcher = self.launcher
        distributed_config(cfg, self.launcher)  # as tools/train.py does for a single run
        cfg.pop('runner_type', None)
        if self.amp and self.spec(name)['kind'] != 'test':
            enable_amp(cfg, where=f"stage '{name}'")
        return cfg

    def spec(self, name: str) -> dict:
        """Pipeline keys of stage ``name``, placeholders resolved."""
        spec = {k: v for k, v in self.cfg.stages[name].items() if k in PIPELINE_KEYS}
        spec = self._resolve(copy.deepcopy(spec))
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
        """Raise :class:`StageInputError` naming the first missing input file of a stage:
        an output of another stage it refers to, or a file its spec names directly."""
        raw = self.cfg.stages[name]
        for stage, output in references(raw):
            path = self.outputs[stage][output]
            if stage != name and not osp.exists(path):
                raise StageInputError(f"stage '{name}' needs {path} (output '{output}' of "
                                      f"stage '{stage}'; run it first)")
        spec = self.spec(name)
        direct = [s.get('checkpoint') or s.get('genotype') for s in spec.get('init_from') or []]
        for path in direct + [spec.get('checkpoint')]:
            if path and not osp.exists(path):
                raise StageInputError(f"stage '{name}' needs {path} (no stage of this pipeline "
                                      'writes it)')

    # ------------------------------------------------------------------ running

    def train(self) -> dict:
        """Run every unfinished stage (or only ``stage``), then write the summary.

        Returns:
            dict: The summary (also in ``work_dir/summary.json``).
        """
        resume_at, checkpoint = self._resume_target()
        todo = [self.only] if self.only else [
            n for n in self.stage_names if n == resume_at or not sf.is_done(self.stage_dir(n))]
        for name in self.stage_names:
            if name not in todo and not self.only:
                print_log(f'pipeline: {self.stage_label(name)} already done, skipped',
                          logger='current', level=logging.INFO)
        self.check_data(todo)
        if self.only:
            self.check_inputs(self.only)
        for name in todo:
            self.run_stage(name, checkpoint=checkpoint if name == resume_at else None)
        return write_summary(self.work_dir, self.stage_names, self.describe_stage)

    def _resume_target(self):
        """``(stage, checkpoint)`` that ``resume='<checkpoint>'`` names, else ``(None, None)``."""
        if not isinstance(self.resume, str):
            return None, None
        path = osp.abspath(self.resume)
        owner = [n for n in self.stage_names if osp.dirname(path) == self.stage_dir(n)]
        if not owner:
            raise ValueError(f'--resume {self.resume}: not a checkpoint of a stage of this '
                             f'pipeline (stage dirs are {self.work_dir}/<stage>/: '
                             f'{self.stage_names})')
        if not osp.isfile(path):
            raise FileNotFoundError(f'--resume {self.resume}: no such checkpoint')
        if sf.is_done(self.stage_dir(owner[0])):
            raise ValueError(f"--resume {self.resume}: stage '{owner[0]}' is already done; "
                             f'remove {osp.join(self.stage_dir(owner[0]), sf.MARKER)} to run '
                             'it again')
        return owner[0], path

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
            checkpoint (str, optional): For a test stage, the checkpoint to test instead of
                the one its spec names; for a training stage, the checkpoint to resume from.

        Returns:
            dict: The stage's metrics.
        """
        if checkpoint and self.spec(name)['kind'] == 'test':
            self.cfg.stages[name]['checkpoint'] = checkpoint
        spec = self.spec(name)
        self.check_inputs(name)
        stage_dir = self.stage_dir(name)
        cfg = self.stage_config(name)
        if spec['kind'] == 'test':
            # what is to be tested must load before a finished stage loses its marker
            load_local_checkpoint(spec['checkpoint'], map_location='cpu')
        sf.clear_marker(stage_dir)
        if spec['kind'] == 'test':
            return self._run_test(name, spec, cfg)
        latest = checkpoint or (latest_loadable_checkpoint(stage_dir) if self.resume else None)
        init_path = osp.join(stage_dir, 'init.pth') if spec.get('init_from') else None
        cfg.resume = latest is not None
        cfg.load_from = latest or init_path
        runner = self._stage_runner(name, spec, cfg)
        init = None
        if latest is None and init_path:
            init = self._init_weights(name, spec['init_from'])(
                unwrap_model(runner.model), init_path, where=f'stage {name}')
        elif latest is not None:
            init = (sf.read_json(osp.join(stage_dir, sf.INIT_REPORT)) or None)
        if init is not None:
            sf.atomic_write_json(osp.join(stage_dir, sf.INIT_REPORT), init)
        runner.train()
        return self._finish_training(name, spec, runner, init)

    def stage_label(self, name: str) -> str:
        """``'stage k/N: <name>'``, ``k`` the stage's place in the pipeline's order."""
        return f'stage {self.stage_names.index(name) + 1}/{len(self.stage_names)}: {name}'

    def _stage_runner(self, name: str, spec: dict, cfg: Config) -> Runner:
        """The stage's runner (:func:`stage_runner`), announced once it exists, so that the
        line also opens the stage's own log file."""
        runner = stage_runner(name, cfg)
        print_log(f'pipeline: {self.stage_label(name)} ({spec["kind"]}) -> '
                  f'{self.stage_dir(name)}', logger='current', level=logging.INFO)
        return runner

    def _init_weights(self, name: str, entries: List[dict]):
        """The :class:`InheritWeights` transform of a stage's ``init_from``."""
        sources = []
        for entry in entries:
            entry = dict(entry)
            search = entry.pop('inherit_cells_from', None)
            if search is not None:
                if search not in self.stage_names:
                    raise KeyError(f'stages.{name}.init_from: inherit_cells_from={search!r} '
                                   f'is not a stage (stages: {self.stage_names})')
                entry['cells_of'] = self.stage_config(search).model
            sources.append(entry)
        return WEIGHT_TRANSFORMS.build(dict(type='mmmtnas.InheritWeights', sources=sources))

    def _finish_training(self, name: str, spec: dict, runner: Runner,
                         init: Optional[dict]) -> dict:
        stage_dir = self.stage_dir(name)
        loop = runner.train_loop
        metrics = dict(kind=spec['kind'], iterations=int(runner.iter),
                       max_iters=int(loop.max_iters),
                       stopped_early=bool(runner.iter < loop.max_iters))
        if init is not None:
            metrics['init'] = init
        metrics.update(final_train_scalars(runner))
        declared = {k: v for k, v in self.outputs[name].items()
                    if k not in ('dir', *IMPLICIT_OUTPUTS)}
        barrier()  # the main process's export hook writes the declared outputs
        for output, path in declared.items():
            if not osp.isfile(path):
                raise FileNotFoundError(
                    f"stage '{name}' ended without writing its output '{output}' ({path}); "
                    "its config must write it (e.g. the search's export hook)")
        runner.save_checkpoint(stage_dir, sf.CHECKPOINT, save_optimizer=False,
                               save_param_scheduler=False, by_epoch=False)
        barrier()  # written by the main process only; every rank checks it below
        sf.atomic_write_json(self.output(name, 'metrics'), metrics)
        sf.mark_done(stage_dir, name, [self.output(name, 'checkpoint'),
                                       self.output(name, 'metrics'), *declared.values()])
        return metrics

    def _run_test(self, name: str, spec: dict, cfg: Config) -> dict:
        stage_dir = self.stage_dir(name)
        cfg.resume, cfg.load_from = False, spec.get('checkpoint')
        cfg.train_dataloader, cfg.train_cfg, cfg.optim_wrapper = None, None, None
        cfg.param_scheduler = None
        runner = self._stage_runner(name, spec, cfg)
        metrics = dict(kind='test')
        metrics.update({k: float(v) if isinstance(v, (int, float)) else v
                        for k, v in runner.test().items()})
        if spec.get('input_size'):
            metrics.update(profile_model(unwrap_model(runner.model), spec['input_size'],
                                         onnxruntime=spec.get('onnx_latency')))
        path = sf.atomic_write_json(self.output(name, 'metrics'), metrics)
        sf.mark_done(stage_dir, name, [path])
        return metrics

    # ------------------------------------------------------------------ summary

    def describe_stage(self, name: str) -> dict:
        """What the summary shows of a stage: kind, state, structure files and metrics."""
        from .pipeline_summary import describe_structure
        stage_dir = self.stage_dir(name)
        out = dict(kind=self.spec(name)['kind'], done=sf.is_done(stage_dir), dir=stage_dir)
        structures = {}
        for output, path in self.outputs[name].items():
            if output not in ('dir', *IMPLICIT_OUTPUTS) and osp.isfile(path):
                structures[output] = describe_structure(path)
        if structures:
            out['structures'] = structures
        out['metrics'] = sf.read_json(self.output(name, 'metrics')) or {}
        return out
