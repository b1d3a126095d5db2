"""Write the branch file of FAFS, BMN or random branching, the file a BMTAS search exports, so
the branched-network retraining (e.g. ``configs/bmtas/mnv2_pascal_mt_retrain.py``) trains it.

    # FAFS: a trained Shared network (encoder structure='all_shared')
    python tools/branching/branching.py fafs CONFIG CHECKPOINT --penalty 0.5 --out FILE
    # BMN: trained single-task networks (encoder structure='all_separate')
    python tools/branching/branching.py bmn CONFIG CHECKPOINT --budget 0.5 --out FILE
    python tools/branching/branching.py bmn CONFIG CHECKPOINT --max-madds 3.5e9 --out FILE
    # random, at the MAdds of another branch file
    python tools/branching/branching.py random --target FILE --seed 0 --out FILE

``CONFIG`` is the config the checkpoint was trained with (its model and validation loader;
``--cfg-options`` as in tools/train.py). MAdds are counted at ``--input-size`` (default: the
paper's, 512x512). See docs/comparison.md.
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from mmmtnas.utils.cli import run_cli


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = parser.add_subparsers(dest='method', required=True)
    for name in ('fafs', 'bmn'):
        p = sub.add_parser(name)
        p.add_argument('config')
        p.add_argument('checkpoint')
        p.add_argument('--input-size', type=int, nargs=2, default=(512, 512),
                       metavar=('H', 'W'), help='image size of the MAdds')
        p.add_argument('--cfg-options', nargs='+', action=DictAction)
        p.add_argument('--out', required=True, help='branch file to write (.yaml or .json)')
    fafs, bmn = sub.choices['fafs'], sub.choices['bmn']
    fafs.add_argument('--penalty', type=float, required=True,
                      help='complexity weight (larger: cheaper tree)')
    fafs.add_argument('--num-images', type=int, default=500)
    fafs.add_argument('--threshold', choices=('median', 'mean'), default='median')
    budget = bmn.add_mutually_exclusive_group(required=True)
    budget.add_argument('--max-madds', type=float, help='MAdds budget of the encoder')
    budget.add_argument('--budget', type=float,
                        help='fraction from all shared (0) to all separate (1)')
    bmn.add_argument('--num-images', type=int, default=250)
    bmn.add_argument('--feature-size', type=int, nargs=2, metavar=('H', 'W'),
                     help='average-pool features to at most this size first (memory)')
    bmn.add_argument('--split-layers', nargs='+', help='layers where tasks may branch')
    rnd = sub.add_parser('random')
    rnd.add_argument('--target', required=True, help='branch file whose MAdds to match')
    rnd.add_argument('--tolerance', type=float, default=0.02)
    rnd.add_argument('--seed', type=int, default=0)
    rnd.add_argument('--out', required=True)
    return parser.parse_args(argv)


def trained_model_and_images(args: argparse.Namespace):
    """The config's model with the checkpoint loaded, and its validation loader."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner, load_checkpoint

    from mmmtnas.registry import MODELS, register_all_modules
    from mmmtnas.utils.cli import load_config
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint not found: {args.checkpoint}')
    register_all_modules(init_default_scope=False)
    cfg = load_config(args.config, args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmmtnas'))
    model = MODELS.build(cfg.model)
    load_checkpoint(model, args.checkpoint, map_location='cpu')
    if cfg.get('val_dataloader') is None:
        raise KeyError(f'{args.config}: no val_dataloader, whose images the method measures')
    return model, Runner.build_dataloader(cfg.val_dataloader)


def main(argv=None) -> None:
    args = parse_args(argv)
    from mmmtnas.models.branched import branching_methods as methods
    if args.method == 'random':
        structure = methods.random_branch_structure(args.target, args.tolerance, args.seed)
    else:
        model, images = trained_model_and_images(args)
        if args.method == 'fafs':
            structure = methods.fafs_branch_structure(model, images, args.penalty,
                                                      args.input_size, args.num_images,
                                                      args.threshold)
        else:
            structure = methods.bmn_branch_structure(model, images, args.input_size,
                                                     args.num_images, args.max_madds,
                                                     args.budget, args.feature_size,
                                                     args.split_layers)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    structure.dump(args.out)
    groups = structure.groups()
    print(f'{args.out}: {structure.madds["derived"] / 1e9:.3f} G MAdds encoder at '
          f'{structure.madds["input_size"]}; groups at the last layer: '
          f'{groups[structure.layers[-1]]}')


if __name__ == '__main__':
    run_cli(main)
