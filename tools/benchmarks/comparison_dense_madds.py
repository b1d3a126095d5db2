"""MAdds of the BMTAS Table 1-2 comparison networks (Cross-Stitch, NDDR-CNN, MTAN; Single and
Shared beside them) at the paper's input sizes, against the paper's figures.

    python tools/benchmarks/comparison_dense_madds.py \
        [--out tools/benchmarks/results/comparison_dense_madds]

Each network is built from its config (no weights are loaded) and counted by mmengine's
FlopAnalyzer as ``count_madds`` counts (one multiply-add = 1, batch norm left out), exactly
extrapolated from counts at small sizes of the input's shape class
(``mmmtnas.models.feature_sharing.madds_at_size``; each extrapolation is checked by a count
at one more size). Writes ``<out>.json`` and ``<out>.md``.
"""
import argparse
import json
import os.path as osp
import sys
import time

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
# (setting, method) -> (config, input size, the paper's MAdds)
ROWS = {
    ('mnv2_pascal', 'single'): ('bmtas/mnv2_pascal_mt_single.py', (512, 512), 15.7e9),
    ('mnv2_pascal', 'shared'): ('bmtas/mnv2_pascal_mt_shared.py', (512, 512), 6.0e9),
    ('mnv2_pascal', 'cross_stitch'): ('comparison/cross_stitch/mnv2_pascal_cross_stitch.py',
                                      (512, 512), 15.7e9),
    ('mnv2_pascal', 'nddr_cnn'): ('comparison/nddr_cnn/mnv2_pascal_nddr_cnn.py', (512, 512),
                                  21.8e9),
    ('mnv2_pascal', 'mtan'): ('comparison/mtan/mnv2_pascal_mtan.py', (512, 512), 9.5e9),
    ('r50_nyud', 'single'): ('bmtas/r50_nyud_mt_single.py', (425, 560), 254.4e9),
    ('r50_nyud', 'shared'): ('bmtas/r50_nyud_mt_shared.py', (425, 560), 122.2e9),
    ('r50_nyud', 'cross_stitch'): ('comparison/cross_stitch/r50_nyud_cross_stitch.py',
                                   (425, 560), 254.4e9),
    ('r50_nyud', 'nddr_cnn'): ('comparison/nddr_cnn/r50_nyud_nddr_cnn.py', (425, 560),
                               366.2e9),
    ('r50_nyud', 'mtan'): ('comparison/mtan/r50_nyud_mtan.py', (425, 560), 600.1e9),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default=osp.join(REPO, 'tools', 'benchmarks', 'results',
                                                  'comparison_dense_madds'))
    args = parser.parse_args()
    sys.path.insert(0, REPO)
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from mmmtnas.models.feature_sharing.madds_at_size import madds_at_size
    from mmmtnas.registry import MODELS
    torch.set_num_threads(1)
    init_default_scope('mmmtnas')
    rows = []
    for (setting, method), (config, size, paper) in ROWS.items():
        start = time.time()
        model = MODELS.build(Config.fromfile(osp.join(REPO, 'configs', config)).model).eval()
        madds, (predicted, counted) = madds_at_size(model, size, check=(4, 3))
        if predicted != counted:
            raise RuntimeError(f'{config}: the extrapolation is not exact ({predicted} '
                               f'predicted, {counted} counted)')
        rows.append(dict(setting=setting, method=method, config=f'configs/{config}',
                         input_size=list(size), madds_G=round(madds / 1e9, 3),
                         paper_G=paper / 1e9, diff_percent=round(100 * (madds / paper - 1), 1)))
        print(f'{setting} {method}: {madds / 1e9:.2f} G (paper {paper / 1e9} G, '
              f'{rows[-1]["diff_percent"]:+.1f} %; {time.time() - start:.0f} s)', flush=True)
        del model
    with open(args.out + '.json', 'w') as f:
        json.dump(rows, f, indent=1)
    lines = ['| setting | method | config | input | measured (G) | paper (G) | diff |',
             '|---|---|---|---|---|---|---|']
    lines += [f'| {r["setting"]} | {r["method"]} | `{r["config"]}` | '
              f'{r["input_size"][0]}x{r["input_size"][1]} | {r["madds_G"]:.2f} | '
              f'{r["paper_G"]} | {r["diff_percent"]:+.1f} % |' for r in rows]
    with open(args.out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
