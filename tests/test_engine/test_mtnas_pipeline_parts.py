"""Fast checks of the staged pipeline's parts (on the MTNAS configs): frozen architecture
parameters stay put in a real bi-level search, stage files, init-weight selection, summary,
named stage outputs and their placeholders, --cfg-options."""
import json
import os.path as osp
import uuid

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner
from repo_paths import REPO_ROOT
from tiny_bilevel_supernet import one_torch_thread, search_cfg  # noqa: F401
from tiny_model import TinyRegressionDataset  # noqa: F401  (registers the dataset)

from mmmtnas.engine.runner import StagedPipeline, StageInputError
from mmmtnas.engine.runner import stage_files as sf
from mmmtnas.engine.runner.pipeline_summary import summary_markdown
from mmmtnas.utils.cli import pipeline_options

TOY = osp.join(REPO_ROOT, 'configs', 'mtnas', 'ssd_fcn_toy.py')


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


def test_summary_lists_structure_files_and_metrics():
    cell = dict(nodes=[[['sep_conv_3x3', 0], ['skip_connect', 1]]], concat=[2])
    text = summary_markdown({'s2b': dict(
        kind='search', done=True,
        structures=dict(genotype=dict(file='/w/s2b/genotype.yaml',
                                      genotypes={'backbone': dict(cells={'normal': cell})})),
        metrics={'iterations': 40, 'det/mAP': 0.25})})
    assert '## s2b (search, done)' in text
    assert '- genotype: `/w/s2b/genotype.yaml`' in text
    assert '`backbone.normal`: sep_conv_3x3(0) + skip_connect(1) | concat [2]' in text
    assert '| det/mAP | 0.25 |' in text


def test_summary_puts_mmdet_fractions_in_percent_as_its_header_says(tmp_path):
    from mmmtnas.engine.runner.pipeline_summary import VALUE_HEADER, write_summary
    metrics = {'det/mAP': 0.254, 'det/AP50': 0.5, 'det/coco/bbox_mAP_s': -1.0,
               'seg/mIoU': 40.1, 'seg/aAcc': 0.9, 'train/loss': 1.25, 'loss_window': 5,
               'iterations': 1}
    summary = write_summary(str(tmp_path), ['test'], lambda name: dict(
        kind='test', done=True, metrics=dict(metrics)))
    shown = summary['stages']['test']['metrics']
    assert shown['det/mAP'] == pytest.approx(25.4) and shown['det/AP50'] == 50.
    # mmseg's metrics are percent already (an aAcc of 0.9 % stays); mmdet's -1 = not computed
    assert shown['seg/mIoU'] == 40.1 and shown['seg/aAcc'] == 0.9
    assert shown['det/coco/bbox_mAP_s'] == -1.0 and shown['iterations'] == 1
    with open(tmp_path / 'summary.json') as f:
        assert json.load(f)['stages']['test']['metrics'] == shown
    text = (tmp_path / 'summary.md').read_text()
    assert f'| metric | {VALUE_HEADER} |' in text and '0-1 AP / AR x 100' in VALUE_HEADER
    assert '| det/mAP | 25.4 |' in text
    assert '| train/loss (mean of the last 5 iterations) | 1.25 |' in text


def _toy(work_dir, **options) -> StagedPipeline:
    cfg = Config.fromfile(TOY)
    cfg.merge_from_dict(options, allow_list_keys=True)
    cfg.work_dir = str(work_dir)
    return StagedPipeline.from_cfg(cfg)


def test_placeholders_resolve_to_the_named_stage_outputs(tmp_path):
    pipeline = _toy(tmp_path)
    genotype = str(tmp_path / 's2b' / 'genotype.yaml')
    assert pipeline.output('s2b', 'genotype') == genotype
    assert pipeline.output('s2b', 'dir') == str(tmp_path / 's2b')
    for stage in ('finetune', 'test'):  # the derived network, from S2b's genotype file only
        model = pipeline.stage_config(stage).model
        assert model.backbone.genotype == model.det_neck.genotype == genotype
        assert model.seg_head.genotype == genotype
    assert pipeline.spec('test')['checkpoint'] == str(tmp_path / 'finetune' / 'checkpoint.pth')
    # S2b's frozen branch structures: S1's genotype files
    sources = pipeline.spec('s2b')['init_from']
    assert dict(genotype=str(tmp_path / 's1_det' / 'genotype.yaml'),
                include=['det_neck.']) in sources
    assert dict(genotype=str(tmp_path / 's1_seg' / 'genotype.yaml'),
                include=['seg_head.']) in sources


@pytest.mark.parametrize('value, message', [
    ('{stages.s3.genotype}', r'\{stages.s3.genotype\} names no stage of this pipeline'),
    ('{stages.s2b.genotyp}', r"stage 's2b' has no output 'genotyp' \(outputs: \['checkpoint'"),
])
def test_unknown_stage_or_output_fails_when_the_pipeline_is_built(tmp_path, value, message):
    with pytest.raises(KeyError, match=message):
        _toy(tmp_path, **{'stages.finetune.model.backbone.genotype': value})


def test_output_of_a_later_stage_fails_when_the_pipeline_is_built(tmp_path):
    with pytest.raises(KeyError, match="output of stage 's2b', which runs after 's1_det'"):
        _toy(tmp_path, **{'stages.s1_det.load_from': '{stages.s2b.checkpoint}'})


def test_missing_input_names_the_output_and_the_stage_that_writes_it(tmp_path):
    pipeline = _toy(tmp_path)
    (tmp_path / 's2b').mkdir()
    (tmp_path / 's2b' / 'checkpoint.pth').write_bytes(b'')
    with pytest.raises(StageInputError) as err:
        pipeline.check_inputs('finetune')
    assert str(err.value) == (f"stage 'finetune' needs {tmp_path}/s2b/genotype.yaml (output "
                              "'genotype' of stage 's2b'; run it first)")


def test_cfg_options_of_a_pipeline_reach_every_stage(tmp_path):
    cfg = Config.fromfile(TOY)
    cfg.merge_from_dict(pipeline_options(cfg, {'randomness.seed': 7, 'stage': 's2b'}))
    cfg.work_dir = str(tmp_path)
    pipeline = StagedPipeline.from_cfg(cfg)
    assert pipeline.only == 's2b'
    for name in pipeline.stage_names:
        assert pipeline.stage_config(name).randomness.seed == 7


def test_metrics_files_are_valid_json_even_with_non_finite_values(tmp_path):
    from mmmtnas.engine.runner import stage_files
    path = stage_files.atomic_write_json(
        str(tmp_path / 'metrics.json'),
        dict(loss=float('nan'), scores=[1.5, float('inf')], nested=dict(x=-float('inf')),
             tensor=torch.tensor(0.25)))

    def refuse(constant):
        raise ValueError(f'invalid JSON constant {constant}')

    data = json.loads(open(path).read(), parse_constant=refuse)
    assert data == dict(loss=None, scores=[1.5, None], nested=dict(x=None), tensor=0.25)
