"""The Shared and Single networks of BMTAS Table 1 (MobileNetV2, PASCAL-Context) and Table 2
(ResNet-50, NYUD-v2), built from the configs, measure the paper's MAdds at the paper's input
size within 5 % (mmengine's FlopAnalyzer, counted as :func:`mmmtnas.models.branched.madds.
count_madds` counts: one multiply-add = 1, batch norm left out). The figures are quoted in
docs/bmtas_paper_table.md.

These networks are big for a CPU, so each backbone is traced once, in its Shared network, with
the count kept per module. A Single network has the Shared one's stem and heads and, per layer,
one copy of the Shared block per task (checked here: same parameter shapes, each copy fed by
the previous layer's copy, so the same input shape): its MAdds are those module counts summed
with the copies' multiplicities, which is exact (test_branched_network.py traces thin Single
networks whole and finds the same sum).
"""
import os.path as osp

import pytest
import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmmtnas.engine.runner import StagedPipeline
from mmmtnas.models.branched.encoder_split import module_key
from mmmtnas.models.branched.madds import NORM_OPS
from mmmtnas.registry import MODELS
from repo_paths import REPO_ROOT

CONFIGS = osp.join(REPO_ROOT, 'configs', 'bmtas')
# The paper's MAdds: Table 1 (PASCAL-Context, MobileNetV2), Table 2 (NYUD-v2, ResNet-50).
PAPER = {'mnv2_pascal_mt': dict(shared=6.0e9, single=15.7e9, size=(512, 512)),
         'r50_nyud_mt': dict(shared=122.2e9, single=254.4e9, size=(425, 560))}
CASES = [(method, baseline) for method in sorted(PAPER) for baseline in ('shared', 'single')]


def _build(method, baseline):
    cfg = Config.fromfile(osp.join(CONFIGS, f'{method}_{baseline}.py'))
    init_default_scope('mmmtnas')
    return MODELS.build(cfg.model).eval()  # no init_weights: nothing is downloaded


def _test_input_size(method, tmp_path):
    """The size the method's pipeline tests (and measures) its networks at."""
    pipeline = Config.fromfile(osp.join(CONFIGS, f'{method}.py'))
    pipeline.work_dir = str(tmp_path)
    return tuple(StagedPipeline.from_cfg(pipeline).spec('test')['input_size'])


def _madds_by_module(model, size):
    analyzer = FlopAnalyzer(model, (torch.zeros(1, 3, *size), ))
    analyzer.set_op_handle(**{op: (lambda inputs, outputs: 0) for op in NORM_OPS})
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    with torch.no_grad():
        return analyzer.by_module()


@pytest.fixture(scope='module')
def measured(tmp_path_factory):
    """Per method: the input size, the Shared network's per-module MAdds and both networks."""
    cache = {}

    def measure(method):
        if method not in cache:
            size = _test_input_size(method, tmp_path_factory.mktemp(method))
            shared = _build(method, 'shared')
            cache[method] = dict(size=size, counts=_madds_by_module(shared, size),
                                 shared=shared, single=_build(method, 'single'))
        return cache[method]

    return measure


def _madds(net, counts, shared):
    """MAdds of a network whose encoder blocks are copies of the Shared network's: the Shared
    count with its encoder's blocks replaced by the copies."""
    enc, ref = net.encoder, shared.encoder
    assert enc.layer_names == ref.layer_names and list(net.heads) == list(shared.heads)
    total = counts[''] - counts['encoder'] + counts['encoder.stem']
    for name in enc.layer_names:
        (template, ), (group, ) = ref.blocks[module_key(name)].values(), ref.groups[name]
        shapes = [p.shape for p in template.parameters()]
        for block in enc.blocks[module_key(name)].values():
            assert [p.shape for p in block.parameters()] == shapes, name
        total += len(enc.groups[name]) * counts[f'encoder.blocks.{module_key(name)}.' +
                                                '+'.join(group)]
    return total


@pytest.mark.parametrize('method, baseline', CASES, ids=[f'{m}-{b}' for m, b in CASES])
def test_network_measures_the_papers_madds_within_5_percent(measured, method, baseline):
    found = measured(method)
    assert found['size'] == PAPER[method]['size']
    shared, net, counts = found['shared'], found[baseline], found['counts']
    tasks = len(net.tasks)
    sizes = {len(g) for groups in net.encoder.groups.values() for g in groups}
    assert sizes == ({tasks} if baseline == 'shared' else {1})
    madds = _madds(net, counts, shared)
    # the stem and the blocks are all the encoder's MAdds
    assert _madds(shared, counts, shared) == counts['']
    paper = PAPER[method][baseline]
    assert abs(madds / paper - 1) < 0.05, \
        f'{method} {baseline}: {madds / 1e9:.2f} G MAdds, paper {paper / 1e9} G'
