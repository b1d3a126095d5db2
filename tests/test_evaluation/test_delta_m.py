import pytest
from mmengine.evaluator import BaseMetric

from mmmtnas.evaluation.metrics import MultiTaskDeltaEvaluator, multi_task_delta

# BMTAS paper, Table 1 (MobileNetV2, PASCAL-Context).
SINGLE = {'semseg/mIoU': 65.11, 'human_parts/mIoU': 57.54, 'sal/maxIoU': 65.41,
          'normals/mean': 13.98, 'edge/odsF': 69.50}
SHARED = {'semseg/mIoU': 59.69, 'human_parts/mIoU': 55.96, 'sal/maxIoU': 63.03,
          'normals/mean': 16.02, 'edge/odsF': 67.80}


def test_delta_m_reproduces_paper_shared_row():
    delta = multi_task_delta(SHARED, SINGLE, lower_is_better=['normals/mean'])
    assert delta == pytest.approx(-6.35, abs=0.01)


def test_delta_m_of_baseline_against_itself_is_zero():
    assert multi_task_delta(SINGLE, SINGLE, ['normals/mean']) == 0.0


def test_delta_m_direction_matters():
    # Treating normals as higher-is-better changes the sign of its term.
    wrong = multi_task_delta(SHARED, SINGLE, lower_is_better=[])
    assert wrong != pytest.approx(-6.35, abs=0.01)


def test_delta_m_missing_metric_names_key():
    with pytest.raises(KeyError, match='edge/odsF'):
        multi_task_delta({k: v for k, v in SHARED.items() if k != 'edge/odsF'}, SINGLE)


class _ConstMetric(BaseMetric):

    def __init__(self, values, prefix):
        super().__init__(prefix=prefix)
        self.values = values

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        return dict(self.values)


def test_evaluator_adds_delta_m_after_task_metrics():
    metrics = [_ConstMetric({'mIoU': 59.69}, 'semseg'), _ConstMetric({'mean': 16.02}, 'normals')]
    evaluator = MultiTaskDeltaEvaluator(
        metrics, baseline={'semseg/mIoU': 65.11, 'normals/mean': 13.98},
        lower_is_better=['normals/mean'])
    evaluator.process(data_samples=[{}], data_batch={})
    res = evaluator.evaluate(1)
    expected = ((59.69 - 65.11) / 65.11 - (16.02 - 13.98) / 13.98) * 100 / 2
    assert res['delta_m'] == pytest.approx(expected)
    assert res['semseg/mIoU'] == 59.69


def test_evaluator_rejects_lower_is_better_key_outside_baseline():
    with pytest.raises(KeyError, match='depth/rmse'):
        MultiTaskDeltaEvaluator([], baseline={'semseg/mIoU': 1.0},
                                lower_is_better=['depth/rmse'])


def test_evaluator_reads_baseline_file_and_dumps_metrics(tmp_path):
    single = tmp_path / 'single.json'
    metrics = [_ConstMetric({'mIoU': 65.11}, 'semseg'), _ConstMetric({'mean': 13.98}, 'normals')]
    writer = MultiTaskDeltaEvaluator(metrics, dump_metrics=str(single))
    writer.process(data_samples=[{}], data_batch={})
    writer.evaluate(1)
    assert single.is_file()

    shared = [_ConstMetric({'mIoU': 59.69}, 'semseg'), _ConstMetric({'mean': 16.02}, 'normals')]
    reader = MultiTaskDeltaEvaluator(shared, keys=['semseg/mIoU', 'normals/mean'],
                                     baseline=str(single), lower_is_better=['normals/mean'])
    reader.process(data_samples=[{}], data_batch={})
    expected = ((59.69 - 65.11) / 65.11 - (16.02 - 13.98) / 13.98) * 100 / 2
    assert reader.evaluate(1)['delta_m'] == pytest.approx(expected)


def test_evaluator_skips_delta_m_when_baseline_file_is_missing(tmp_path):
    ev = MultiTaskDeltaEvaluator([_ConstMetric({'mIoU': 1.0}, 'semseg')], keys=['semseg/mIoU'],
                                 baseline=str(tmp_path / 'none.json'))
    ev.process(data_samples=[{}], data_batch={})
    assert 'delta_m' not in ev.evaluate(1)
