"""Export a multi-task network to ONNX (dynamic batch and image size) and check it.

    python tools/deployment/pytorch2onnx.py CONFIG [CHECKPOINT] [--out FILE.onnx]
        [--shape H W] [--opset 17] [--stage NAME] [--random-weights]
        [--check] [--check-images N] [--atol 1e-4] [--cfg-options k=v ...]

CONFIG is a model config (the MTL baseline, a BMTAS retrain config) or a pipeline (MTNAS,
BMTAS): for a pipeline the network of its test stage (or ``--stage``) is exported, its structure
file (genotype, branch file) and, unless CHECKPOINT is given, its checkpoint taken from the
pipeline's work dir (``--cfg-options work_dir=...``). ``--random-weights`` exports an untrained
network (to look at the graph or time it).

The graph maps preprocessed images (``image``: N x 3 x H x W, normalised as the config's data
preprocessor does) to the raw head outputs: SSD ``det_cls_score_<l>`` / ``det_bbox_pred_<l>``
per level and ``seg_logits`` (MTNAS, MTL baseline), ``<task>_logits`` (BMTAS). Anchors, NMS and
argmax are left to the model's ``predict_by_feat`` (``mmmtnas.deployment.decode_outputs``).
``--check`` runs the graph in ONNX Runtime on the first images of the config's test data and
prints the largest difference to PyTorch and whether boxes and masks agree after decoding; it
fails (exit 1) above ``--atol`` or when they do not agree.
Beside the ONNX file, ``<out>.json`` records the input, outputs and normalisation.
"""
import argparse
import json
import os
import os.path as osp
from typing import Optional, Tuple

import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope

from mmmtnas.registry import MODELS, register_all_modules
from mmmtnas.structures.file_io import write_text_atomically
from mmmtnas.utils.cli import is_pipeline, load_config, run_cli
from mmmtnas.utils.torch_compat import load_local_checkpoint


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Export a multi-task network to ONNX')
    parser.add_argument('config', help='model or pipeline config file')
    parser.add_argument('checkpoint', nargs='?',
                        help="checkpoint file (a pipeline's default: its stage's checkpoint)")
    parser.add_argument('--out', help='ONNX file to write (default: <work_dir>/<config>.onnx)')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'),
                        help="example input height and width (default: the config's "
                        'input_size); the graph accepts any size')
    parser.add_argument('--opset', type=int, default=17, help='ONNX opset (default 17)')
    parser.add_argument('--stage', help='pipeline stage whose network to export (default: the '
                        'test stage)')
    parser.add_argument('--random-weights', action='store_true',
                        help='export without a checkpoint (randomly initialised weights)')
    parser.add_argument('--check', action='store_true',
                        help='compare ONNX Runtime with PyTorch on the test data')
    parser.add_argument('--check-images', type=int, default=2,
                        help='images per test dataloader for --check (default 2)')
    parser.add_argument('--atol', type=float, default=1e-4,
                        help='--check fails above this absolute difference of any raw output '
                        '(default 1e-4)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings in the config, key=value')
    return parser.parse_args(argv)


def model_config(cfg: Config, stage: Optional[str] = None) -> Tuple[Config, dict]:
    """The runner config holding the network, and what a pipeline stage adds.

    Args:
        cfg (Config): A model config or a pipeline config.
        stage (str, optional): For a pipeline, the stage; default: its (last) test stage.

    Returns:
        tuple: The config with ``model`` (and the test data), and ``dict(checkpoint=...,
        input_size=...)`` from the stage's spec (empty for a model config).
    """
    if not is_pipeline(cfg):
        if stage is not None:
            raise ValueError(f'--stage {stage}: {cfg.filename} is not a pipeline config')
        if cfg.get('model') is None:
            raise KeyError(f'{cfg.filename}: no `model` to export')
        return cfg, dict(input_size=cfg.get('input_size'))
    from mmmtnas.engine.runner.staged_pipeline import StagedPipeline
    pipeline = StagedPipeline(cfg)
    if stage is None:
        tests = [n for n in pipeline.stage_names if pipeline.spec(n)['kind'] == 'test']
        if not tests:
            raise KeyError(f'{cfg.filename}: the pipeline has no test stage; pass --stage')
        stage = tests[-1]
    elif stage not in pipeline.stage_names:
        raise KeyError(f'--stage {stage}: not a stage of {cfg.filename} '
                       f'(stages: {pipeline.stage_names})')
    spec = pipeline.spec(stage)
    checkpoint = spec.get('checkpoint')
    if checkpoint is None and spec['kind'] == 'train':
        checkpoint = pipeline.output(stage, 'checkpoint')
    stage_cfg = pipeline.stage_config(stage)
    return stage_cfg, dict(checkpoint=checkpoint,
                           input_size=spec.get('input_size') or stage_cfg.get('input_size'))


def build_model(cfg: Config, checkpoint: Optional[str]) -> torch.nn.Module:
    """Build ``cfg.model`` in eval mode, with the checkpoint's weights if given."""
    init_default_scope(cfg.get('default_scope', 'mmmtnas'))
    # no init_weights(): a checkpoint replaces the weights, and random ones need no download
    # of the ImageNet weights an init_cfg may name
    model = MODELS.build(cfg.model)
    if checkpoint is not None:
        state = load_local_checkpoint(checkpoint, map_location='cpu')
        state = state.get('state_dict', state)
        result = model.load_state_dict(state, strict=False)
        if result.missing_keys:
            raise KeyError(f'{checkpoint}: no weights for {len(result.missing_keys)} '
                           f'parameters of the model, e.g. {result.missing_keys[0]!r} (is it '
                           "this config's checkpoint?)")
    return model.eval()


def _test_loaders(cfg: Config) -> dict:
    """The test dataloader configs by task (one entry for a single loader)."""
    loader = cfg.get('test_dataloader')
    if not loader:
        raise KeyError(f'{cfg.filename}: --check needs a test_dataloader')
    if 'dataset' in loader:
        return {'test': loader}
    return {task: sub for task, sub in loader.items() if sub}


def check_on_test_data(model: torch.nn.Module, cfg: Config, onnx_file: str,
                       num_images: int) -> dict:
    """Compare ONNX Runtime with PyTorch on the first images of each test dataloader.

    Returns:
        dict: Per dataloader, :func:`mmmtnas.deployment.parity`'s report.
    """
    from mmengine.runner import Runner

    from mmmtnas.deployment import ORTModel, parity
    if num_images <= 0:
        raise ValueError(f'--check-images must be positive, got {num_images}')
    session = ORTModel(onnx_file)
    reports = {}
    for name, loader_cfg in _test_loaders(cfg).items():
        loader = Runner.build_dataloader(
            dict(loader_cfg, batch_size=num_images, num_workers=0, persistent_workers=False))
        data = model.data_preprocessor(next(iter(loader)), False)
        reports[name] = parity(model, session, data['inputs'], data['data_samples'])
        reports[name]['input_shape'] = list(data['inputs'].shape)
    return reports


def format_check(reports: dict) -> str:
    lines = []
    for name, report in reports.items():
        agree = all(p['same'] for p in report['predictions'].values())
        lines.append(f'check [{name}] input {report["input_shape"]}: max abs diff '
                     f'{report["max_abs_diff"]:.3g} over {len(report["outputs"])} outputs; '
                     f'predictions {"agree" if agree else "DIFFER"}')
        for field, fig in report['predictions'].items():
            figures = ', '.join(f'{k}={v:.3g}' if isinstance(v, float) else f'{k}={v}'
                                for k, v in fig.items())
            lines.append(f'  {field}: {figures}')
    return '\n'.join(lines)


def check_failures(reports: dict, atol: float) -> list:
    """What makes a ``--check`` fail: a raw output further than ``atol`` from PyTorch's, or
    predictions that differ after decoding (one line each)."""
    problems = []
    for name, report in reports.items():
        if report['max_abs_diff'] > atol:
            worst = max(report['outputs'], key=report['outputs'].get)
            problems.append(f'[{name}] {worst} differs by {report["max_abs_diff"]:.3g} > '
                            f'--atol {atol:g}')
        problems += [f'[{name}] {field} differ' for field, fig in report['predictions'].items()
                     if not fig['same']]
    return problems


def _meta(model: torch.nn.Module, names: list, config: str, checkpoint: Optional[str],
          shape) -> dict:
    prep = model.data_preprocessor
    prep = getattr(prep, 'det', prep)  # DetSegDataPreprocessor normalises through mmdet's
    norm = {}
    if getattr(prep, '_enable_normalize', False):
        norm = dict(mean=prep.mean.flatten().tolist(), std=prep.std.flatten().tolist())
    norm['bgr_to_rgb'] = bool(getattr(prep, '_channel_conversion', False))
    return dict(config=config, checkpoint=checkpoint, model=type(model).__name__,
                tasks=list(model.tasks), input=dict(name='image', layout='NCHW',
                                                    example_shape=list(shape), **norm),
                outputs=names, dynamic_axes=['batch', 'height', 'width'])


def main(argv=None) -> dict:
    from mmmtnas.deployment import export_onnx
    args = parse_args(argv)
    if args.shape is not None and min(args.shape) <= 0:
        raise ValueError(f'--shape must be two positive integers H W, got {args.shape}')
    register_all_modules(init_default_scope=False)
    cfg = load_config(args.config, args.cfg_options)
    model_cfg, stage = model_config(cfg, args.stage)
    checkpoint = args.checkpoint or stage.get('checkpoint')
    if args.random_weights:
        checkpoint = None
    elif checkpoint is None:
        raise ValueError(f'{args.config}: no CHECKPOINT given; pass one, or --random-weights to '
                         'export untrained weights')
    shape = args.shape or stage.get('input_size')
    if shape is None:
        raise ValueError(f'{args.config}: no input_size in the config; pass --shape H W')
    # a pipeline's own files (checkpoint, genotype, branch file) are in its work_dir
    hint = (f' (written by the pipeline under its work_dir {cfg.get("work_dir")}: run it '
            'first, or pass --cfg-options work_dir=DIR)') if is_pipeline(cfg) else ''
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint file not found: {checkpoint}'
                                f'{"" if args.checkpoint else hint}')
    try:
        model = build_model(model_cfg, checkpoint)
    except FileNotFoundError as err:
        if not hint:
            raise
        raise FileNotFoundError(f'{err}{hint}') from None
    stem = osp.splitext(osp.basename(args.config))[0]
    out = args.out or osp.join(cfg.get('work_dir') or osp.join('work_dirs', stem), f'{stem}.onnx')
    if osp.dirname(out):
        os.makedirs(osp.dirname(out), exist_ok=True)
    names = export_onnx(model, out, shape, opset=args.opset)
    meta = _meta(model, names, args.config, checkpoint, shape)
    write_text_atomically(f'{out}.json', json.dumps(meta, indent=2))
    print(f'wrote {out} ({type(model).__name__}, tasks {list(model.tasks)}; input image '
          f'N x 3 x H x W, dynamic; {len(names)} outputs: {", ".join(names)})')
    if args.check:
        meta['check'] = check_on_test_data(model, model_cfg, out, args.check_images)
        print(format_check(meta['check']))
        problems = check_failures(meta['check'], args.atol)
        if problems:
            raise RuntimeError(f'ONNX Runtime disagrees with PyTorch: {"; ".join(problems)}')
    return meta


if __name__ == '__main__':
    run_cli(main)
