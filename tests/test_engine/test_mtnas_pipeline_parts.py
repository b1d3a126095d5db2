"""Fast checks of the MTNAS pipeline's parts: frozen architecture parameters stay put in a real
bi-level search, stage files, init-weight selection, summary."""
import json
import os.path as osp
import uuid

import pytest
import torch
from mmengine.runner import Runner
from tiny_bilevel_supernet import one_torch_thread, search_cfg  # noqa: F401
from tiny_model import TinyRegressionDataset  # noqa: F401  (registers the dataset)

from mmmtnas.engine.runner import stage_files as sf
from mmmtnas.engine.runner.pipeline_summary import summary_markdown


@pytest.fixture(autouse=True)
def _one_thread(one_torch_thread):  # noqa: F811
    """See :func:`tiny_bilevel_supernet.one_torch_thread`."""


def test_frozen_arch_params_do_not_move_while_the_others_do(tmp_path):
    cfg = search_cfg(str(tmp_path), max_iters=4, experiment_name=uuid.uuid4().hex)
    cfg['model'] = dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['edge0'],
                        supernet=dict(type='TinyBilevelSupernet'))
    runner = Runner.from_cfg(cfg)
    arch = runner.model.arch_params
    before = {k: v.detach().clone() for k, v in arch.items()}
    assert runner.model.frozen_arch_names() == ['edge0']
    runner.train()
    assert torch.equal(arch['edge0'], before['edge0'])
    assert not torch.equal(arch['edge1'], before['edge1'])


def test_unknown_frozen_prefix_is_named():
    from mmmtnas.registry import MODELS
    with pytest.raises(KeyError, match="prefix 'backbone.' matches no"):
        MODELS.build(dict(type='mmmtnas.PartiallyFrozenSearch', frozen_arch=['backbone.'],
                          supernet=dict(type='TinyBilevelSupernet')))


def test_select_weights_keeps_and_renames_prefixes_and_names_a_missing_one():
    state = {'supernet.backbone.w': torch.ones(2), 'supernet.head.b': torch.zeros(1),
             'supernet.arch_params.backbone__normal': torch.ones(3)}
    out = sf.select_weights(state, ['supernet.backbone.', 'supernet.arch_params.backbone__'],
                            rename={'supernet.': ''})
    assert sorted(out) == ['arch_params.backbone__normal', 'backbone.w']
    with pytest.raises(KeyError, match="ckpt.pth: no weight starts with 'supernet.neck.'"):
        sf.select_weights(state, ['supernet.neck.'], where='ckpt.pth')
    model = {'backbone.w': torch.ones(3)}
    with pytest.raises(KeyError, match=r"shape \(2,\) != model \(3,\)"):
        sf.check_init_keys({'backbone.w': torch.ones(2)}, model, strict=True, where='s')
    assert sf.check_init_keys({'backbone.w': torch.ones(2), 'x': torch.ones(1)}, model,
                              strict=False, where='s') == []


def test_marker_is_written_last_and_only_when_outputs_exist(tmp_path):
    out = str(tmp_path / 'metrics.json')
    with pytest.raises(FileNotFoundError, match='did not write .*metrics.json'):
        sf.mark_done(str(tmp_path), 's1_det', [out])
    assert not sf.is_done(str(tmp_path))
    sf.atomic_write_json(out, dict(a=torch.tensor(1.5)))
    sf.mark_done(str(tmp_path), 's1_det', [out])
    assert sf.is_done(str(tmp_path))
    with open(osp.join(tmp_path, sf.MARKER)) as f:
        assert json.load(f)['outputs'] == ['metrics.json']
    assert sf.read_json(out) == dict(a=1.5)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith('.tmp')] == []


def test_summary_lists_genotypes_and_metrics():
    cell = dict(nodes=[[['sep_conv_3x3', 0], ['skip_connect', 1]]], concat=[2])
    text = summary_markdown({'s2b': dict(kind='search', done=True,
                                         genotypes={'backbone': dict(cells={'normal': cell})},
                                         metrics={'iterations': 40, 'det/mAP': 0.25})})
    assert '## s2b (search, done)' in text
    assert '`backbone.normal`: sep_conv_3x3(0) + skip_connect(1) | concat [2]' in text
    assert '| det/mAP | 0.25 |' in text
